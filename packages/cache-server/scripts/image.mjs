// Builds the server's container image without network access at build time:
// packs @imagewise/common and this package, installs them with their production
// dependencies into the workspace's dist/cache-server-image on this machine (npm
// registry), then builds the Dockerfile with that directory as its context.
//
//   npx nx run @imagewise/cache-server:image [--tag name:tag]   (DOCKER_HOST is honoured)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const PACKAGE = dirname(dirname(fileURLToPath(import.meta.url)));
const COMMON = join(PACKAGE, '../common');
const CONTEXT = join(PACKAGE, '../../dist/cache-server-image');
const { version } = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8'));
const { values } = parseArgs({ options: { tag: { type: 'string', default: `imagewise-cache-server:${version}` }, 'context-only': { type: 'boolean' } } });

rmSync(CONTEXT, { recursive: true, force: true });
mkdirSync(join(CONTEXT, 'packs'), { recursive: true });
for (const directory of [COMMON, PACKAGE]) run('npm', ['pack', '--silent', '--pack-destination', join(CONTEXT, 'packs')], directory);
const packs = readdirSync(join(CONTEXT, 'packs'));
const dependencies = Object.fromEntries(
  packs.map((file) => [file.startsWith('imagewise-common-') ? '@imagewise/common' : '@imagewise/cache-server', `file:./packs/${file}`]),
);
writeFileSync(join(CONTEXT, 'package.json'), JSON.stringify({ name: 'imagewise-cache-server-image', private: true, dependencies }, null, 2));
run('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], CONTEXT);
rmSync(join(CONTEXT, 'packs'), { recursive: true });
if (!values['context-only']) run('docker', ['build', '--file', join(PACKAGE, 'Dockerfile'), '--tag', values.tag, CONTEXT], PACKAGE);

function run(command, args, cwd) {
  execFileSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
}
