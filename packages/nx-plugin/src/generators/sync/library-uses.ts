import type { ImageProject } from '../../graph/image-project';
import { argNameOf, findLibraryUses, matchLibraryUse, type InternalLibrary, type LibraryUse, type SourceFile } from '../../library';
import { parseJson } from '../../library/json-text';
import { syncedSpec } from '../shared/library-ranges';
import type { Edits } from './plan';
import { PIN_MARKER, markedAsPin, packageJsonPins } from '../../library/pins';
import { replaceOnLine } from './text-edit';

/**
 * Library versions an image asks for that the library's current version does
 * not satisfy move to one it does, in the same style (see syncedSpec):
 * package.json ranges, requirements and pyproject.toml specifiers, and a base
 * image's version ARG.
 */
export function planLibraryUses(images: ImageProject[], libraries: InternalLibrary[], declarations: (root: string) => SourceFile[], edits: Edits): void {
  if (libraries.length === 0) return;
  for (const image of images) {
    // Problems in these files are the graph's to report; a sync changes only what it can read.
    for (const use of findLibraryUses(declarations(image.root), libraries).uses) {
      const library = libraries.find((l) => l.project === use.library)!;
      const match = matchLibraryUse(use, library);
      if (!match.tracksWorkspace) planUse(use, library, match.reason, edits);
    }
  }
}

function planUse(use: LibraryUse, library: InternalLibrary, reason: string, edits: Edits): void {
  const name = library.npmName ?? library.pythonName ?? library.project;
  const what = `${use.source === 'package.json' ? library.npmName : name} ${reason}`; // as docker:drift words it
  const text = edits.text(use.file);
  const pin = pinOf(use, library, text);
  if (pin) return edits.leave(use.file, use.line, `${what}: pinned on purpose (${pin}), left alone`);
  const spec = syncedSpec(use, library);
  if (spec === undefined) return edits.leave(use.file, use.line, `${what}: not a version Imagewise can move, left alone; edit it by hand`);
  const edited = edit(use, library, text, spec);
  edits.apply(
    use.file,
    use.line,
    edited,
    `${name} "${use.spec}" → "${spec}", which the current version ${library.version} satisfies`,
    `${what}: could not find "${use.spec}" on the line, left alone; edit it by hand`,
  );
}

/** What marks the use as a deliberate pin, for the report; undefined when nothing does. */
function pinOf(use: LibraryUse, library: InternalLibrary, text: string): string | undefined {
  if (use.source === 'package.json') {
    const pins = packageJsonPins(text);
    return pins.includes(library.npmName!) || pins.includes(library.project) ? '"imagewise": { "pin": [...] }' : undefined;
  }
  return markedAsPin(text, use.line, use.source !== 'dockerfile-arg') ? PIN_MARKER : undefined;
}

function edit(use: LibraryUse, library: InternalLibrary, text: string, spec: string): string | undefined {
  switch (use.source) {
    case 'package.json': {
      const key = dependencyKey(text, use, library);
      return key === undefined ? undefined : replaceOnLine(text, use.line, JSON.stringify(key), JSON.stringify(use.spec), JSON.stringify(spec));
    }
    case 'dockerfile-arg':
      return replaceOnLine(text, use.line, `${argNameOf(library)}=`, use.spec, spec);
    default:
      return replaceOnLine(text, use.line, undefined, use.spec, spec);
  }
}

/** The dependency key that holds the use's spec: the package name, or an alias installing it. */
function dependencyKey(text: string, use: LibraryUse, library: InternalLibrary): string | undefined {
  const parsed = parseJson(text);
  if ('error' in parsed) return undefined;
  const section = ((parsed.value as Record<string, unknown>)[use.section ?? ''] ?? {}) as Record<string, unknown>;
  if (section[library.npmName!] === use.spec) return library.npmName;
  return Object.keys(section).find((key) => section[key] === use.spec);
}
