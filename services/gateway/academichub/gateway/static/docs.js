// Starts Swagger UI on /docs (external file: the CSP forbids inline script).
"use strict";
window.addEventListener("load", () => {
  const root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: root.dataset.openapiUrl, dom_id: "#swagger-ui" });
});
