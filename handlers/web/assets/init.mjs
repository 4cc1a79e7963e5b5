// What the GOV.UK page template does inline, from a file, as the Content-Security-Policy
// allows no inline script: mark the page as having JavaScript, then start the components.
// Every page works without it.
import { initAll, isSupported } from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled");
if (isSupported()) {
  document.body.classList.add("govuk-frontend-supported");
  initAll();
}
