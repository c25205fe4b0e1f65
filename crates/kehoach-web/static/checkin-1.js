// Check-in by camera: reads a card's QR with the browser's BarcodeDetector
// (Chrome on Android) and submits its code; elsewhere the code is typed, or
// a USB/Bluetooth scanner types it into the same field.
(() => {
  'use strict';
  const form = document.getElementById('the-form');
  const btn = document.getElementById('scan');
  const video = document.getElementById('scan-video');
  if (!form || !btn || !video) return;
  const input = form.querySelector('input[name=card_code]');
  if (!('BarcodeDetector' in window) || !navigator.mediaDevices) {
    btn.hidden = true;
    return;
  }
  let stream = null;
  const stop = () => {
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    video.hidden = true;
    btn.textContent = 'Quét bằng camera';
  };
  btn.addEventListener('click', async () => {
    if (stream) { stop(); return; }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
    } catch {
      btn.textContent = 'Không mở được camera: gõ mã trên thẻ';
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    btn.textContent = 'Dừng quét';
    const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    const tick = async () => {
      if (!stream) return;
      try {
        const codes = await detector.detect(video);
        if (codes.length) {
          input.value = codes[0].rawValue.trim();
          stop();
          form.submit();
          return;
        }
      } catch { /* a frame that could not be read */ }
      requestAnimationFrame(tick);
    };
    tick();
  });
})();
