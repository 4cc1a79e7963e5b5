// What the GOV.UK page template does inline, from a file, as the Content-Security-Policy
// allows no inline script: mark the page as having JavaScript and GOV.UK Frontend as
// supported (a browser running this module supports it), then start the components.
// Every page works without it.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
