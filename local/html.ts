/**
 * Server-rendered HTML for the local pages (the PSP simulator's payment window, the demo shop):
 * a tagged template that escapes every interpolated value unless it is already `Html`.
 */
export class Html {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

type Part = Html | string | number | undefined | null | false | readonly Part[];

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function render(part: Part): string {
  if (part === undefined || part === null || part === false) return '';
  if (part instanceof Html) return part.text;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  return new Html(strings.reduce((out, string, i) => out + render(parts[i - 1] as Part) + string));
}

/** A whole page: title, a little shared style, the body. */
export function page(title: string, body: Html, style = ''): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1d2330; }
button, input { font: inherit; padding: .45rem .8rem; }
button { cursor: pointer; border: 0; border-radius: .4rem; background: #3064e0; color: white; }
button.secondary { background: #e4e7ee; color: #1d2330; }
table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #e4e7ee; }
.box { border: 1px solid #d6dae3; border-radius: .6rem; padding: 1rem 1.2rem; margin: 1rem 0; }
.error { color: #b3261e; } .ok { color: #1e7b34; } code { background: #f1f3f7; padding: 0 .25rem; }
${new Html(style)}
</style>
</head>
<body>
${body}
</body>
</html>
`.text;
}

/** Minor units of KRW, as a buyer reads them. */
export function won(amount: number): string {
  return `₩${amount.toLocaleString('en-US')}`;
}

/** A value as a JavaScript literal inside a <script> (where HTML escapes are not decoded): JSON with `<` escaped. */
export function scriptValue(value: unknown): Html {
  return new Html(JSON.stringify(value).replace(/</g, '\\u003c'));
}
