/**
 * Tiny glob matcher for the `include` / `exclude` options (permalinks or doc ids): `**` spans
 * slashes, `*` does not, `?` is one character. Enough for "/blog/**" or "about"; nothing more
 * is promised, so no glob library is pulled into the build.
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*' && glob[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

export function matchesAny(values: string[], globs: string[]): boolean {
  const patterns = globs.map(globToRegExp);
  return values.some((value) => patterns.some((pattern) => pattern.test(value)));
}
