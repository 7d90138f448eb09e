// Hostile Dockerfile text: encodings, long lines, stage graphs, ARG chains,
// here-documents and escape directives.
import { KiB, MiB, json } from './catalogue-kit.mjs';

const N = 10_000;

export function encodings({ dockerfile }) {
  // Encodings.
  const encoding = (id, text, more = {}) => dockerfile(id, text, { category: 'encoding', ...more });
  encoding('nul-bytes', 'FROM ba\0se\nRUN echo \0\0\0\n');
  encoding('nul-only', Buffer.alloc(4 * KiB));
  encoding('bom', '\uFEFFFROM base\nRUN true\n');
  encoding('crlf', 'FROM base\r\nRUN echo a \\\r\n  b\r\nCOPY . /app\r\n');
  encoding('cr-only', 'FROM base\rRUN true\r');
  encoding('utf16', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('FROM base\nRUN true\n', 'utf16le')]));
  encoding('invalid-utf8', Buffer.from([0x46, 0x52, 0x4f, 0x4d, 0x20, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0x0a, 0xf0, 0x28, 0x8c, 0x28, 0x0a]));
  encoding('terminal-escapes', 'FROM \u001b[2J\u001b[31mbase\u001b]0;title\u0007\nRUN \u202eevil\n');
  encoding('bom-package-json', 'FROM base\n', {
    files: { 'services/bom-package-json/package.json': `\uFEFF${json({ name: 'bom-package-json', version: '1.0.0' })}` },
    nx: false,
    nxWhy: 'Nx itself finds no name in a package.json that starts with a byte order mark',
  });
  // A directory name that would drive a terminal, quoted in every problem of its project.
  encoding('esc-\u001b[2J\u001b]0;x\u0007-name', 'FROM base\n', {
    files: { 'services/esc-\u001b[2J\u001b]0;x\u0007-name/package.json': '{"name": \n' },
    nx: false,
    nxWhy: 'Nx itself refuses a package.json that is not JSON',
  });
  encoding('crlf-dockerignore', 'FROM base\n', { files: { 'services/crlf-dockerignore/.dockerignore': 'node_modules\r\n*.md\r\n!README.md\r\n' } });
}

export function longLines({ dockerfile }) {
  // Long lines.
  const long = (id, text, more = {}) => dockerfile(id, text, { category: 'long line', ...more });
  long('from-64k', `FROM ${'a'.repeat(64 * KiB)}\n`);
  long('from-tag-64k', `FROM base:${'1'.repeat(64 * KiB)}\n`);
  long('from-registry-64k', `FROM ${'r'.repeat(64 * KiB)}.example.com/base\n`);
  long('stage-name-64k', `FROM base AS ${'s'.repeat(64 * KiB)}\nFROM ${'s'.repeat(64 * KiB)}\n`);
  long('arg-64k', `ARG A=${'v'.repeat(64 * KiB)}\nFROM base\nARG A\nRUN echo $A\n`);
  long('line-1m', `FROM base\nRUN ${'x'.repeat(MiB - 32)}\n`);
  long('continuations-10k', `FROM base\nRUN true${' \\\n  && true'.repeat(10_000)}\n`);
  long('from-continued-10k', `FROM \\\n${'\\\n'.repeat(10_000)}base\n`);
}

export function stageGraphs({ dockerfile }) {
  // Stages: cycles, chains, many FROM lines.
  const stages = (id, text) => dockerfile(id, text, { category: 'stages' });
  const N = 10_000;
  stages('stage-cycle-10k', Array.from({ length: N }, (_, i) => `FROM scratch AS s${i}\nCOPY --from=s${(i + 1) % N} / /\n`).join('') + 'FROM base\n');
  stages('stage-chain-10k', `FROM base AS s0\n${Array.from({ length: N - 1 }, (_, i) => `FROM s${i} AS s${i + 1}\n`).join('')}`);
  stages('from-base-10k', 'FROM base\n'.repeat(N));
  stages('mount-cycle-1k', Array.from({ length: 1000 }, (_, i) => `FROM base AS m${i}\nRUN --mount=from=m${(i + 1) % 1000},target=/x true\n`).join(''));
  stages('copy-from-index', `FROM base\n${Array.from({ length: 1000 }, (_, i) => `COPY --from=${i + 5} / /\n`).join('')}`);
}

export function argChains({ dockerfile }) {
  // ARG chains and expansion.
  const args = (id, text) => dockerfile(id, text, { category: 'ARG chains' });
  args('arg-chain-10k', `ARG A0=base\n${Array.from({ length: N - 1 }, (_, i) => `ARG A${i + 1}=\${A${i}}\n`).join('')}FROM \${A${N - 1}}\n`);
  args('arg-nested-defaults-1k', `FROM ${'${X:-'.repeat(1000)}base${'}'.repeat(1000)}\n`);
  args('arg-unclosed-braces', `FROM ${'${'.repeat(10_000)}base\n`);
  // Each ARG twice the one before: 2^60 characters if expanded naively.
  args('arg-doubling-60', `ARG A0=ab\n${Array.from({ length: 60 }, (_, i) => `ARG A${i + 1}=\${A${i}}\${A${i}}\n`).join('')}FROM base:\${A60}\n`);
  args('arg-self-reference', 'ARG A=${A}${A}\nARG A=${A}${A}\nFROM ${A:-base}\n');
  args('arg-no-value', `${Array.from({ length: 100 }, (_, i) => `ARG V${i}\n`).join('')}FROM base:\${V99}\n`);
}

export function heredocsAndEscapes({ dockerfile }) {
  // Here-documents and the escape directive.
  const doc = (id, text) => dockerfile(id, text, { category: 'heredoc / escape' });
  doc('heredoc-unclosed', 'FROM base\nRUN <<EOF\necho never closed\n');
  doc('heredoc-unclosed-1k', `FROM base\n${'RUN <<EOF\n'.repeat(1000)}`);
  doc('heredoc-many', `FROM base\n${'RUN <<A <<B\na\nA\nb\nB\n'.repeat(2000)}`);
  doc('heredoc-dash-unclosed', 'FROM base\nCOPY <<-"END" /x\n\tnever\n');
  doc('heredoc-long-name', `FROM base\nRUN <<${'E'.repeat(64 * KiB)}\n`);
  doc('escape-letter', '# escape=x\nFROM base\n');
  doc('escape-empty', '# escape=\nFROM base\n');
  doc('escape-long', `# escape=${'\\'.repeat(64 * KiB)}\nFROM base\n`);
  doc('escape-repeated', `${'# escape=`\n'.repeat(1000)}FROM base\n`);
  doc('escape-backtick-continuations', '# escape=`\nFROM `\nba`\nse\nRUN a \\\n b\n');
  doc('syntax-directive', `# syntax=${'x'.repeat(64 * KiB)}\n# escape=\u0000\nFROM base\n`);
}
