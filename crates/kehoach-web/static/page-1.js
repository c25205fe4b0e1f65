// Small behaviours of every page, without inline script (the
// Content-Security-Policy allows scripts from this site only):
// forms that ask before they submit, read-only fields selected on click,
// and buttons that copy a field's text (Zalo messages, invite links).
document.addEventListener('submit', function (e) {
  var msg = e.target.getAttribute && e.target.getAttribute('data-confirm');
  if (msg && !window.confirm(msg)) e.preventDefault();
}, true);
document.addEventListener('click', function (e) {
  var el = e.target;
  if (el.hasAttribute && el.hasAttribute('data-select')) el.select();
  var id = el.getAttribute && el.getAttribute('data-copy');
  if (id) {
    var field = document.getElementById(id);
    if (!field) return;
    field.select();
    if (navigator.clipboard) navigator.clipboard.writeText(field.value);
    el.textContent = 'Đã sao chép';
  }
});
