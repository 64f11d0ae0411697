// Context a host attaches to the next message (a notebook cell, a selection), carried in
// ChatKit's own fields: each one an `input_tag` content part, selections also `quoted_text`.
import { isRecord, type ThreadItem } from "./chatkit/types";

/** Something attached to the next message; shown as a chip above the composer's box. */
export interface MessageContext {
  /** Attaching the same id again replaces the chip. */
  id: string;
  /** What the chip says ("Cell 3", "Selection"). */
  label: string;
  /** "cell", "selection" (also sent as the message's `quoted_text`), or the host's own kind. */
  kind: "cell" | "selection" | string;
  /** What the model reads. */
  text: string;
  /** More for the backend (a cell's id, its notebook's path): sent in the tag's `data`. */
  data?: Record<string, unknown>;
}

/** ChatKit's `UserMessageTagContent`, as this widget writes it. */
export interface TagPart {
  type: "input_tag";
  id: string;
  text: string;
  data: Record<string, unknown>;
  interactive: false;
}

/** ChatKit's `UserMessageInput` for `text` with `contexts` attached. */
export function messageInput(
  text: string,
  contexts: readonly MessageContext[],
): Record<string, unknown> {
  const input: Record<string, unknown> = {
    content: messageContent(text, contexts),
    attachments: [],
    inference_options: {},
  };
  const quoted = quotedText(contexts);
  if (quoted !== null) input.quoted_text = quoted;
  return input;
}

/** The text of the message a ChatKit request sends (its `input_text` parts), or undefined. */
export function requestText(
  request: { params?: Record<string, unknown> } | null,
): string | undefined {
  const input = request?.params?.input;
  const content = isRecord(input) && Array.isArray(input.content) ? input.content : [];
  const texts = content.flatMap((part: unknown) =>
    isRecord(part) && part.type === "input_text" && typeof part.text === "string"
      ? [part.text]
      : [],
  );
  return texts.length > 0 ? texts.join("\n") : undefined;
}

/** The message's content parts: its text, then a tag per context. */
export function messageContent(
  text: string,
  contexts: readonly MessageContext[],
): Array<{ type: "input_text"; text: string } | TagPart> {
  return [{ type: "input_text", text }, ...contexts.map(tagPart)];
}

/** The selections' text, blank-line separated (null: none attached). */
export function quotedText(contexts: readonly MessageContext[]): string | null {
  const selections = contexts.filter((context) => context.kind === "selection");
  return selections.length > 0 ? selections.map((context) => context.text).join("\n\n") : null;
}

function tagPart(context: MessageContext): TagPart {
  return {
    type: "input_tag",
    id: context.id,
    text: context.label,
    // `kind` and `text` last: the host's data cannot mask what the backend reads.
    data: { ...context.data, kind: context.kind, text: context.text },
    interactive: false,
  };
}

/** A user message's tags as contexts (stored items carry them as `input_tag` parts). */
export function contextsOf(item: ThreadItem): MessageContext[] {
  const content = item.content;
  if (!Array.isArray(content)) return [];
  const contexts: MessageContext[] = [];
  for (const part of content as unknown[]) {
    if (!isRecord(part) || part.type !== "input_tag" || typeof part.id !== "string") continue;
    const { kind, text, ...data } = isRecord(part.data) ? part.data : {};
    contexts.push({
      id: part.id,
      label: typeof part.text === "string" ? part.text : part.id,
      kind: typeof kind === "string" ? kind : "context",
      text: typeof text === "string" ? text : "",
      data,
    });
  }
  return contexts;
}
