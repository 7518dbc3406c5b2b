// GOV.UK Frontend's components (the service navigation's menu, the error summary's focus, the
// buttons), started once the page has loaded; a browser without modules keeps the plain page.
import { initAll } from "./govuk-frontend-5.14.0/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
