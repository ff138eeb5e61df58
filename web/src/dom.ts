// dom.ts — the few DOM helpers the portal needs: find, create, show, and errors next to fields.

export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing`);
  return el as T;
}

/** An element with attributes and children (strings become text, never HTML). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean> = {},
  ...children: (Node | string | null | undefined)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false) continue;
    el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined) el.append(c);
  return el;
}

export function show(el: HTMLElement, on = true): void {
  el.hidden = !on;
}

/** Shows reason under the field's error line `<id>-error` and marks the input invalid. Returns false when the page has no such field. */
export function fieldError(field: string, reason: string): boolean {
  const line = document.getElementById(`${field}-error`);
  if (!line) return false;
  line.textContent = reason;
  line.hidden = false;
  const input = document.getElementById(field);
  if (input) {
    input.setAttribute('aria-invalid', 'true');
    const ids = new Set((input.getAttribute('aria-describedby') || '').split(' ').filter(Boolean));
    ids.add(line.id);
    input.setAttribute('aria-describedby', [...ids].join(' '));
  }
  return true;
}

export function clearFieldErrors(): void {
  for (const line of document.querySelectorAll<HTMLElement>('.field-error')) {
    line.hidden = true;
    line.textContent = '';
  }
  for (const input of document.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
}

/** Copies text with the clipboard API and says so next to the button for a moment. */
export async function copy(text: string, button: HTMLButtonElement, status: HTMLElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = 'Copied';
    button.dataset.copied = 'true';
  } catch {
    status.textContent = 'Copy failed: select the text and copy it by hand';
  }
  setTimeout(() => {
    status.textContent = '';
    delete button.dataset.copied;
  }, 4000);
}
