// The Markdown subset of message text: what each construct becomes, what stays literal, and that
// no input makes the parser slow. Trees are written as compact HTML-like strings for reading;
// text is escaped in them, so "&lt;b&gt;" means the user typed "<b>" and sees it as text.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { MAX_QUOTE_DEPTH, parseMessage } from '../../web/js/markdown.js';

function escape(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function inline(node) {
  switch (node.type) {
    case 'text':
      return escape(node.text);
    case 'code':
      return `<code>${escape(node.text)}</code>`;
    case 'link':
      return `<a ${escape(node.href)}>${escape(node.text)}</a>`;
    case 'mention':
      return `<@${node.name}>${escape(node.text)}</@>`;
    default:
      return `<${node.type}>${node.children.map(inline).join('')}</${node.type}>`;
  }
}

function block(node) {
  if (node.type === 'code') return `<pre${node.language ? ` ${node.language}` : ''}>${escape(node.text)}</pre>`;
  if (node.type === 'quote') return `<quote>${node.blocks.map(block).join('')}</quote>`;
  return `<p>${node.inlines.map(inline).join('')}</p>`;
}

function md(text, mentions = []) {
  return parseMessage(text, { mentions }).map(block).join('');
}

// Every text character of the tree, in order: nothing is lost or invented between the pieces.
function visibleText(text, mentions = []) {
  const inner = (n) => (n.children ? n.children.map(inner).join('') : n.text);
  const outer = (b) => (b.type === 'code' ? b.text : b.type === 'quote' ? b.blocks.map(outer).join('') : b.inlines.map(inner).join(''));
  return parseMessage(text, { mentions }).map(outer).join('');
}

test('plain text is one paragraph, exactly as typed, line breaks and blank lines kept', () => {
  assert.equal(md('hello'), '<p>hello</p>');
  assert.equal(md('Thanks alice!\nGlad to be here.'), '<p>Thanks alice!\nGlad to be here.</p>');
  assert.equal(md('one\n\n\ntwo'), '<p>one\n\n\ntwo</p>');
  assert.equal(md('  indented and   spaced\tout'), '<p>  indented and   spaced\tout</p>');
  assert.equal(md(''), '');
});

test('HTML is text: angle brackets and entities are shown, not interpreted', () => {
  assert.equal(md('<b>x</b>'), '<p>&lt;b&gt;x&lt;/b&gt;</p>');
  assert.equal(md('<img src=x onerror=alert(1)>'), '<p>&lt;img src=x onerror=alert(1)&gt;</p>');
  assert.equal(md('&amp; &lt;'), '<p>&amp;amp; &amp;lt;</p>');
  assert.equal(md('<script>alert(2)</script>'), '<p>&lt;script&gt;alert(2)&lt;/script&gt;</p>');
});

test('strong and emphasis, with * and _, nested either way', () => {
  assert.equal(md('**strong** and *em* and _em too_'), '<p><strong>strong</strong> and <em>em</em> and <em>em too</em></p>');
  assert.equal(md('__strong too__'), '<p><strong>strong too</strong></p>');
  assert.equal(md('*em with **strong** inside*'), '<p><em>em with <strong>strong</strong> inside</em></p>');
  assert.equal(md('**strong with *em* inside**'), '<p><strong>strong with <em>em</em> inside</strong></p>');
  assert.equal(md('***both***'), '<p><em><strong>both</strong></em></p>');
  assert.equal(md('*over\ntwo lines*'), '<p><em>over\ntwo lines</em></p>');
});

test('asterisks and underscores that do not pair are literal', () => {
  for (const text of ['2 * 3 * 4', 'a * b', '*not closed', 'not opened*', '** spaced **', '* list-like line', 'x ** y']) {
    assert.equal(md(text), `<p>${text}</p>`, text);
  }
  assert.equal(md('snake_case_names and __init__.py'), '<p>snake_case_names and <strong>init</strong>.py</p>');
  assert.equal(md('call my_func_name(a_b) now'), '<p>call my_func_name(a_b) now</p>');
  assert.equal(md('**unbalanced*'), '<p>*<em>unbalanced</em></p>');
  assert.equal(md('*a_'), '<p>*a_</p>');
});

test('inline code is literal: no emphasis, links or mentions inside', () => {
  assert.equal(md('run `rm -rf *` now'), '<p>run <code>rm -rf *</code> now</p>');
  assert.equal(md('`*not em* @bob https://example.com <b>`', ['bob']), '<p><code>*not em* @bob https://example.com &lt;b&gt;</code></p>');
  assert.equal(md('``a ` inside``'), '<p><code>a ` inside</code></p>');
  assert.equal(md('`` `tick` ``'), '<p><code>`tick`</code></p>');
  assert.equal(md('```x``` on one line'), '<p><code>x</code> on one line</p>');
  assert.equal(md('*em `code*` em*'), '<p><em>em <code>code*</code> em</em></p>');
});

test('an unmatched backtick is just a backtick', () => {
  assert.equal(md('it`s fine'), '<p>it`s fine</p>');
  assert.equal(md('a `b ``c'), '<p>a `b ``c</p>');
  assert.equal(md('`one` and ` stray'), '<p><code>one</code> and ` stray</p>');
});

test('fenced code blocks keep every character and interpret nothing', () => {
  const text = 'before\n```\n  indented *x* **y** `z`\n\tTab @bob https://example.com\n> not a quote\n\n<b>end</b>\n```\nafter';
  assert.equal(
    md(text, ['bob']),
    '<p>before</p><pre>  indented *x* **y** `z`\n\tTab @bob https://example.com\n&gt; not a quote\n\n&lt;b&gt;end&lt;/b&gt;</pre><p>after</p>',
  );
  assert.equal(md('```python\nprint(1)\n```'), '<pre python>print(1)</pre>');
  assert.equal(md('```  js  extra words\nx\n```'), '<pre js>x</pre>');
  assert.equal(md('```"><script>\nx\n```'), '<pre>x</pre>', 'a language that is not a word is dropped');
  assert.equal(md('```\n```'), '<pre></pre>');
});

test('a fence closes only on a line of at least as many backticks; an unclosed one runs to the end', () => {
  assert.equal(md('```\nstill code\n'), '<pre>still code\n</pre>');
  assert.equal(md('```\na\n``` not a close\nb'), '<pre>a\n``` not a close\nb</pre>');
  assert.equal(md('````\n```\ninner\n```\n````'), '<pre>```\ninner\n```</pre>');
  assert.equal(md('```\na\n`````  \nafter'), '<pre>a</pre><p>after</p>');
});

test('blank lines around blocks are dropped, between paragraphs lines kept', () => {
  assert.equal(md('text\n\n```\ncode\n```\n\nmore\n\nand more'), '<p>text</p><pre>code</pre><p>more\n\nand more</p>');
});

test('quotes: consecutive > lines form one block, with inline formatting inside', () => {
  assert.equal(md('> quoted **bold**\n> second line\nreply'), '<quote><p>quoted <strong>bold</strong>\nsecond line</p></quote><p>reply</p>');
  assert.equal(md('>no space'), '<quote><p>no space</p></quote>');
  assert.equal(md('> one\n\n> two'), '<quote><p>one</p></quote><quote><p>two</p></quote>');
  assert.equal(md('3 > 2 is not a quote'), '<p>3 &gt; 2 is not a quote</p>');
});

test('quotes nest and hold code blocks', () => {
  assert.equal(md('> outer\n>> inner\n> back'), '<quote><p>outer</p><quote><p>inner</p></quote><p>back</p></quote>');
  assert.equal(md('> look:\n> ```\n>   *kept* as is\n> ```\n> ok?'), '<quote><p>look:</p><pre>  *kept* as is</pre><p>ok?</p></quote>');
  assert.equal(md('> `code` and https://example.com'), '<quote><p><code>code</code> and <a https://example.com>https://example.com</a></p></quote>');
  const deep = '>'.repeat(MAX_QUOTE_DEPTH + 3) + ' deep';
  assert.equal(md(deep), `${'<quote>'.repeat(MAX_QUOTE_DEPTH)}<p>&gt;&gt;&gt; deep</p>${'</quote>'.repeat(MAX_QUOTE_DEPTH)}`);
});

test('http, https and mailto URLs become links; the link text is the URL itself', () => {
  assert.equal(md('see https://example.com/path?q=1&r=2#frag'), '<p>see <a https://example.com/path?q=1&amp;r=2#frag>https://example.com/path?q=1&amp;r=2#frag</a></p>');
  assert.equal(md('http://example.org'), '<p><a http://example.org>http://example.org</a></p>');
  assert.equal(md('write to mailto:alice@example.com'), '<p>write to <a mailto:alice@example.com>mailto:alice@example.com</a></p>');
  assert.equal(md('HTTPS://EXAMPLE.COM'), '<p><a HTTPS://EXAMPLE.COM>HTTPS://EXAMPLE.COM</a></p>');
  assert.equal(md('<https://example.com>'), '<p>&lt;<a https://example.com>https://example.com</a>&gt;</p>');
  assert.equal(md('two: https://a.example\nhttps://b.example'), '<p>two: <a https://a.example>https://a.example</a>\n<a https://b.example>https://b.example</a></p>');
});

test('other schemes are never links', () => {
  for (const text of ['javascript:alert(1)', 'JavaScript:alert(document.cookie)', 'data:text/html,<b>x</b>', 'vbscript:msgbox', 'file:///etc/passwd', 'ftp://example.com']) {
    assert.equal(md(text), `<p>${escape(text)}</p>`, text);
  }
  assert.equal(md('xhttps://example.com'), '<p>xhttps://example.com</p>', 'inside a word');
  assert.equal(md('https:// and mailto: alone'), '<p>https:// and mailto: alone</p>');
});

test('trailing punctuation ends a link; parentheses the URL opened stay in it', () => {
  const link = (url) => `<a ${url}>${url}</a>`;
  assert.equal(md('Go to https://example.com.'), `<p>Go to ${link('https://example.com')}.</p>`);
  for (const tail of [',', ';', ':', '!', '?', "'", '"', ')', '...', '!?', '").']) {
    assert.equal(md(`https://example.com/x${tail}`), `<p>${link('https://example.com/x')}${escape(tail)}</p>`, tail);
  }
  assert.equal(md('(see https://example.com/x)'), `<p>(see ${link('https://example.com/x')})</p>`);
  assert.equal(md('https://en.wikipedia.org/wiki/Rust_(language)'), `<p>${link('https://en.wikipedia.org/wiki/Rust_(language)')}</p>`);
  assert.equal(md('(https://example.com/a_(b))'), `<p>(${link('https://example.com/a_(b)')})</p>`);
  assert.equal(md('https://example.com/a_(b).'), `<p>${link('https://example.com/a_(b)')}.</p>`);
  assert.equal(md("'https://example.com'"), `<p>'${link('https://example.com')}'</p>`);
});

test('links are atoms: their underscores and asterisks are no emphasis, but emphasis goes around them', () => {
  assert.equal(md('https://example.com/a_b_c/*x*'), '<p><a https://example.com/a_b_c/*x>https://example.com/a_b_c/*x</a>*</p>');
  assert.equal(md('*https://example.com*'), '<p><em><a https://example.com>https://example.com</a></em></p>');
  assert.equal(md('**see https://example.com/a_b**'), '<p><strong>see <a https://example.com/a_b>https://example.com/a_b</a></strong></p>');
  assert.equal(md('`https://example.com`'), '<p><code>https://example.com</code></p>');
});

test('mentions the server counted are marked outside code, also inside emphasis', () => {
  assert.equal(md('hi @bob and @carol', ['bob']), '<p>hi <@bob>@bob</@> and @carol</p>');
  assert.equal(md('**@bob** look', ['bob']), '<p><strong><@bob>@bob</@></strong> look</p>');
  assert.equal(md('@here: `@bob`', ['here', 'bob']), '<p><@here>@here</@>: <code>@bob</code></p>');
  assert.equal(md('@snake_case_user hi', ['snake_case_user']), '<p><@snake_case_user>@snake_case_user</@> hi</p>');
  assert.equal(md('> @Bob said', ['bob']), '<quote><p><@bob>@Bob</@> said</p></quote>');
  assert.equal(md('mail me@bob.org or mailto:x@bob.org', ['bob']), '<p>mail me@bob.org or <a mailto:x@bob.org>mailto:x@bob.org</a></p>');
});

test('outside code, nothing the user typed is lost but the markup characters', () => {
  const text = 'a **b** _c_ `d` https://e.example/(f) @bob\n> g\n```\nh\n```';
  assert.equal(visibleText(text, ['bob']), 'a b c d https://e.example/(f) @bobgh');
});

test('long hostile inputs parse quickly (no catastrophic backtracking)', () => {
  const inputs = [
    '*'.repeat(4000),
    '_'.repeat(4000),
    '`'.repeat(4000),
    '` '.repeat(2000),
    '`'.repeat(1000) + 'x' + '`'.repeat(999),
    Array.from({ length: 400 }, (_, i) => '`'.repeat((i % 40) + 1) + ' x').join('').slice(0, 4000),
    'a*'.repeat(2000),
    '*a '.repeat(1333),
    '**'.repeat(1000) + 'x' + '**'.repeat(999),
    '_a'.repeat(2000),
    '>'.repeat(4000),
    '> a\n'.repeat(1000),
    '```\n'.repeat(1000),
    'https://' + ')'.repeat(3992),
    'https://' + '('.repeat(3992),
    '(https://x '.repeat(363),
    '@bob '.repeat(800),
    '*a_ **b_ `c https://d.e '.repeat(160),
  ];
  for (const text of inputs) {
    const start = performance.now();
    parseMessage(text, { mentions: ['bob'] });
    const ms = performance.now() - start;
    assert.ok(ms < 250, `${JSON.stringify(text.slice(0, 20))}… took ${ms.toFixed(0)} ms`);
  }
});

test('the parser never changes the text it is given', () => {
  const text = '**x** `y`';
  const copy = String(text);
  parseMessage(text);
  assert.equal(text, copy);
  assert.equal(md(text), '<p><strong>x</strong> <code>y</code></p>');
});
