/** Renders a tag name from a config's `tag_format` (`v{version}` or `{name}-v{version}`). Pure. */
export function renderTag(tagFormat: string, values: { name: string; version: string }): string {
  return tagFormat.replaceAll("{name}", values.name).replaceAll("{version}", values.version);
}
