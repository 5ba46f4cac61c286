import { h } from './dom.js';

/** Asks in a modal <dialog>; resolves true when the user chose `action`, false on Cancel or Escape. Focus returns where it was. */
export function confirmDialog(title, text, action) {
  const opener = document.activeElement;
  return new Promise(resolve => {
    const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-title' });
    const cancel = h('button', { type: 'button', onclick: () => dialog.close('cancel') }, 'Cancel');
    const confirm = h('button', { type: 'button', class: 'danger', onclick: () => dialog.close('confirm') }, action);
    dialog.append(
      h('h2', { id: 'confirm-title' }, title),
      h('p', {}, text),
      h('div', { class: 'actions' }, cancel, confirm));
    dialog.addEventListener('close', () => {
      dialog.remove();
      opener?.focus?.();
      resolve(dialog.returnValue === 'confirm');
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
