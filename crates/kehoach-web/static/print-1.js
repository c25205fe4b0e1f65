// The print view of the board opens the browser's print dialog once loaded.
window.addEventListener('load', function () { window.print(); });
