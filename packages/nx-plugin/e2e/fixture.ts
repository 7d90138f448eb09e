// A small image workspace in the shape of the system we studied: base images
// bundling the internal library (npm and Python flavours), services on them,
// and the ways a Dockerfile can name (or seem to name) a workspace image.
const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
export const NODE_DIGEST = digest(1);
export const NODE_DIGEST_PATCHED = digest(2);

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const lock = (upstream: Record<string, string>) => json({ upstream });

export const FIXTURE: Record<string, string> = {
  'package.json': json({ name: 'fixture', private: true, workspaces: ['packages/*', 'images/*', 'services/*'] }),
  'nx.json': json({
    namedInputs: {
      default: ['{projectRoot}/**/*'],
      production: ['default', '!{projectRoot}/**/*.spec.ts'],
      dockerImage: ['production'],
    },
    plugins: [{ plugin: '@imagewise/nx-plugin', options: { registry: 'registry.example.com/platform' } }],
  }),

  // The internal library, npm flavour and Python flavour.
  'packages/common/package.json': json({ name: '@acme/common', version: '1.5.0' }),
  'packages/common/src/index.ts': 'export const VERSION = "1.5.0";\n',
  'packages/common/src/index.spec.ts': 'test("x", () => {});\n',
  'packages/common-py/project.json': json({ name: 'common-py' }),
  'packages/common-py/pyproject.toml': '[project]\nname = "acme-common"\nversion = "1.5.0"\n',
  'packages/common-py/acme_common/__init__.py': 'VERSION = "1.5.0"\n',

  // Base images: FROM locked upstream images, bundling the library.
  'images/node-base/package.json': json({ name: 'node-base', version: '2.1.0', private: true }),
  'images/node-base/Dockerfile': [
    'ARG COMMON_VERSION=1.5.0',
    'FROM node:18-bookworm-slim',
    'ARG COMMON_VERSION',
    'RUN echo "bundling @acme/common@${COMMON_VERSION}"',
    '',
  ].join('\n'),
  'images/node-base/.dockerignore': 'NOTES.md\n',
  'images/node-base/NOTES.md': 'maintainers only\n',
  'images/node-base/imagewise.lock.json': lock({ 'docker.io/library/node:18-bookworm-slim': NODE_DIGEST }),
  'images/python-base/package.json': json({ name: 'python-base', version: '1.0.0', private: true }),
  'images/python-base/Dockerfile': 'FROM python:3.11-slim-bookworm\nCOPY requirements.txt .\n',
  'images/python-base/requirements.txt': 'acme-common==1.5.0\n',
  'images/python-base/imagewise.lock.json': lock({ 'docker.io/library/python:3.11-slim-bookworm': digest(3) }),

  // Tracks node-base by bare name; uses the library at a satisfied range.
  'services/notifier/package.json': json({ name: 'notifier', version: '0.1.0', private: true, dependencies: { '@acme/common': '^1.4.0' } }),
  'services/notifier/Dockerfile': 'FROM node-base\nCOPY . .\n',
  // ARG-built FROM: registry and tag from ARGs; the tag is node-base's version.
  'services/bruin-bridge/Dockerfile': ['ARG REGISTRY=registry.example.com/platform', 'ARG BASE_TAG=2.1.0', 'FROM ${REGISTRY}/node-base:${BASE_TAG}', ''].join(
    '\n',
  ),
  // Pinned to an older node-base release: uses the published image.
  'services/t7-bridge/Dockerfile': 'FROM registry.example.com/platform/node-base:1.9.0\n',
  // Library pinned outside the workspace version, on an upstream base.
  'services/service-affecting-monitor/package.json': json({
    name: 'service-affecting-monitor',
    version: '0.1.0',
    private: true,
    dependencies: { '@acme/common': '~1.2.0' },
  }),
  'services/service-affecting-monitor/Dockerfile': 'FROM node:18-bookworm-slim\n',
  'services/service-affecting-monitor/imagewise.lock.json': lock({ 'docker.io/library/node:18-bookworm-slim': NODE_DIGEST }),
  // Python: one pin inside, one outside the workspace library version.
  'services/last-contact-report/Dockerfile': 'FROM python:3.11-slim-bookworm\n',
  'services/last-contact-report/requirements.txt': 'acme-common>=1.4,<2\n',
  'services/last-contact-report/imagewise.lock.json': lock({ 'docker.io/library/python:3.11-slim-bookworm': digest(3) }),
  'services/velocloud-bridge/Dockerfile': 'FROM python:3.11-slim-bookworm\n',
  'services/velocloud-bridge/requirements.txt': 'acme-common==1.2.0\n',
  'services/velocloud-bridge/imagewise.lock.json': lock({ 'docker.io/library/python:3.11-slim-bookworm': digest(3) }),
  // Multi-stage: COPY --from another workspace image.
  'services/service-outage-monitor/Dockerfile': [
    'FROM debian:bookworm-slim AS runtime',
    'COPY --from=node-base /usr/local/lib/node_modules /opt/node_modules',
    '',
  ].join('\n'),
  'services/service-outage-monitor/imagewise.lock.json': lock({ 'docker.io/library/debian:bookworm-slim': digest(4) }),
  // A stage named like a workspace image: FROM node-base means the stage.
  'services/notifications-bridge/Dockerfile': ['FROM node:18-bookworm-slim AS node-base', 'RUN echo stage', 'FROM node-base', ''].join('\n'),
  'services/notifications-bridge/imagewise.lock.json': lock({ 'docker.io/library/node:18-bookworm-slim': NODE_DIGEST }),
};
