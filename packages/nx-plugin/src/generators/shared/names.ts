import type { Language } from './libraries';

/** One path component of an image repository name, as Docker accepts it: `node-base`, `last_contact.report`. */
const IMAGE_NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** Throws, saying what to write, when `name` cannot be a directory, an Nx project and an image name at once. */
export function checkImageName(name: string | undefined, what: string): string {
  const trimmed = (name ?? '').trim();
  if (!IMAGE_NAME.test(trimmed)) {
    throw new Error(
      `${what} name "${name ?? ''}" cannot name an image: use lower-case letters and digits, separated by single ".", "_", "__" or "-" (e.g. "node-base")`,
    );
  }
  return trimmed;
}

/** A new image project's tags: the plugin's type tag, the language, and the extra tags given (comma-separated). */
export function projectTags(typeTag: string, language: Language, extra: string | undefined): string[] {
  const tags = [typeTag, `lang:${language}`, ...(extra ?? '').split(',').map((tag) => tag.trim())];
  return [...new Set(tags.filter(Boolean))];
}
