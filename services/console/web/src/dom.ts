/** Small DOM helpers: every text goes in as textContent, never as HTML. */
type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

export function replace(target: Element, ...children: Child[]): void {
  target.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
}

export function table(headers: readonly (string | { text: string; num: true })[], rows: readonly Child[][]): HTMLTableElement {
  const th = headers.map((h) => (typeof h === 'string' ? el('th', {}, h) : el('th', { class: 'num' }, h.text)));
  return el('table', {}, el('thead', {}, el('tr', {}, ...th)), el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c, i) => el('td', typeof headers[i] === 'object' ? { class: 'num' } : {}, c))))));
}

export function facts(pairs: readonly [string, Child][]): HTMLDListElement {
  return el('dl', { class: 'facts' }, ...pairs.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}
