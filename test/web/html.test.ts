import { describe, expect, it } from 'vitest';
import { html, SafeHtml, segment } from '../../src/web/html.js';
import { renderRow } from '../../src/web/render-job-list.js';

describe('html tagged template', () => {
  it('escapes every interpolated string, in text and in quoted attributes', () => {
    const hostile = `"><img src=x onerror=alert(1)>'&`;
    const out = html`<p title="${hostile}" data-x='${hostile}'>${hostile}</p>`.value;
    expect(out).toBe(
      `<p title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&#39;&amp;" data-x='&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&#39;&amp;'>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&#39;&amp;</p>`,
    );
  });

  it('keeps nested templates as markup, escapes strings inside lists, renders nothing for null, undefined and false', () => {
    const items = ['<a>', '<b>'].map((t) => html`<li>${t}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.value).toBe('<ul><li>&lt;a&gt;</li><li>&lt;b&gt;</li></ul>0');
    expect(html`${['<x>', html`<y>`]}`.value).toBe('&lt;x&gt;<y>');
  });

  it('does not trust look-alikes of SafeHtml', () => {
    const fake = { value: '<script>' } as unknown as SafeHtml;
    expect(html`${fake as unknown as string}`.value).toBe('[object Object]');
  });

  it('encodes path segments for links', () => {
    expect(html`<a href="/jobs/${segment('a/../b?c=<d>')}">`.value).toBe('<a href="/jobs/a%2F..%2Fb%3Fc%3D%3Cd%3E">');
  });

  it('renders a row whose every cell is text', () => {
    const row = renderRow({
      kind: 'SparkJob',
      name: 'x',
      phase: 'Failed',
      icon: '✖',
      attempts: 2,
      age: '5m',
      message: '<img src=x onerror=alert(1)>',
      backend: 'docker',
    }).value;
    expect(row).toContain('<td class="col-message">&lt;img src=x onerror=alert(1)&gt;</td>');
    expect(row).toContain(
      '<span class="phase phase-failed" data-phase="Failed"><span class="icon" aria-hidden="true">✖</span> <span class="phase-text">Failed</span></span>',
    );
  });
});
