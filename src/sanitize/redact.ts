/** Secrets shorter than this are not redacted: replacing every `a` would make logs unreadable. */
const MIN_SECRET_LENGTH = 4

/**
 * A function that replaces every secret with `***`, in each form a server echo or our own escaping can
 * give it: as is, JSON-escaped, URL-encoded, and each of those through any extra form the caller names
 * (the step summary's HTML escaping, say). Run it on parsed values, headers and finished text alike; it is idempotent.
 */
export function createRedactor(
  secrets: readonly string[],
  extraForms: readonly ((secret: string) => string)[] = []
): (text: string) => string {
  const forms = new Set<string>()
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue
    const base = [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]
    for (const form of [...base, ...extraForms.flatMap(f => base.map(b => f(b)))]) {
      if (form.length >= MIN_SECRET_LENGTH) forms.add(form)
    }
  }
  // Longest first, so a form that contains another is replaced whole.
  const ordered = [...forms].sort((a, b) => b.length - a.length)
  return text => ordered.reduce((out, form) => out.split(form).join('***'), text)
}
