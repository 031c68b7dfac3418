// Start GOV.UK Frontend. Loaded with <script type="module"> from base.html so
// that no inline script is needed (a strict Content-Security-Policy comes later).
//
// Module scripts only run in browsers that GOV.UK Frontend supports, so setting
// the classes here is equivalent to the official inline snippet
// (`'noModule' in HTMLScriptElement.prototype`). Modules are deferred: the
// classes arrive once the document is parsed, just before initAll().
import { initAll } from '../govuk/govuk-frontend.min.js'

document.body.className += ' js-enabled govuk-frontend-supported'
initAll()
