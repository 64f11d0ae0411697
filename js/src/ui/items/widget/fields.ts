// Form fields of a widget: their element ids (for Labels) and the values a submit sends.

/** The id of the control named `name` in widget `itemId` (a Label's `for` points at it). */
export function fieldId(itemId: string, name: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, "_");
  return `ckw-w-${safe(itemId)}-${safe(name)}`;
}

type Field = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/**
 * The values of the named fields under `scope`, keyed by name (ChatKit's convention for a
 * form's action payload): checkboxes as booleans, a radio group as its checked value (null
 * when none is), everything else as its text.
 */
export function fieldValues(scope: Element): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of scope.querySelectorAll<Field>("input[name], select[name], textarea[name]")) {
    const name = field.dataset.field ?? field.name;
    if (field.tagName === "INPUT" && (field as HTMLInputElement).type === "checkbox") {
      values[name] = (field as HTMLInputElement).checked;
    } else if (field.tagName === "INPUT" && (field as HTMLInputElement).type === "radio") {
      if ((field as HTMLInputElement).checked) values[name] = field.value;
      else if (!(name in values)) values[name] = null;
    } else values[name] = field.value;
  }
  return values;
}
