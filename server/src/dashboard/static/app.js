// ExpressConsent dashboard: progressive enhancement only; every page works without it.
(() => {
  'use strict';
  // Times: the markup says UTC; show the viewer's local time, keep UTC on hover.
  const fmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  for (const el of document.querySelectorAll('time[data-local]')) {
    const d = new Date(el.getAttribute('datetime'));
    if (!Number.isNaN(d.getTime())) el.textContent = fmt.format(d);
  }
  // Copy buttons: <button data-copy="#id"> copies the text or value of the target.
  for (const btn of document.querySelectorAll('button[data-copy]')) {
    btn.hidden = false;
    btn.addEventListener('click', async () => {
      const target = document.querySelector(btn.dataset.copy);
      if (!target) return;
      const text = 'value' in target ? target.value : target.textContent;
      try {
        await navigator.clipboard.writeText(text);
        btn.textContent = 'Copied';
      } catch {
        if (target.select) target.select();
        btn.textContent = 'Press Ctrl+C to copy';
      }
    });
  }
  // Confirmations for actions that cost money or cannot be undone.
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (e) => {
      if (!window.confirm(form.dataset.confirm)) e.preventDefault();
    });
  }
})();
