// The subset of ChatKit's JSON (chatkit/types.py, dumped with exclude_none) the UI reads.
// Fields are optional where the server may omit them; unknown fields pass through untouched.

export interface ThreadItem {
  id: string;
  type: string;
  thread_id?: string;
  created_at?: string;
  [key: string]: unknown;
}

export interface UserMessageContent {
  type: "input_text" | "input_tag";
  text: string;
}

export interface UserMessageItem extends ThreadItem {
  type: "user_message";
  content: UserMessageContent[];
}

/**
 * This backend's extension: an edited message's versions (`index` is the one shown, of
 * `count`); each holds the conversation that followed it.
 */
export interface MessageVersions {
  index: number;
  count: number;
}

/** An item's `versions`, when it has more than one and says so in a usable shape. */
export function versionsOf(item: ThreadItem): MessageVersions | null {
  const versions = item.versions;
  if (!isRecord(versions)) return null;
  const { index, count } = versions;
  if (typeof index !== "number" || typeof count !== "number") return null;
  if (count < 2 || index < 0 || index >= count) return null;
  return { index, count };
}

export interface AssistantContent {
  type: "output_text";
  text: string;
  annotations?: unknown[];
}

export interface AssistantMessageItem extends ThreadItem {
  type: "assistant_message";
  content: AssistantContent[];
  /** Added by this widget's backend to a partial reply the user stopped. */
  stopped?: boolean;
  /** Added by this widget's backends to a partial reply whose connection dropped. */
  incomplete?: boolean;
  /** With `incomplete`: the process running the reply died (a restarted kernel). */
  interrupted?: boolean;
}

export type StatusIndicator = "none" | "loading" | "complete";

export interface UrlSource {
  type: "url";
  title: string;
  url: string;
}

export interface Task {
  type: "custom" | "thought" | "web_search" | "file" | "image" | string;
  status_indicator?: StatusIndicator;
  title?: string;
  content?: string;
  /** URLSource (web_search) or FileSource (`filename`, file tasks). */
  sources?: Array<UrlSource | { type: string; title: string; [key: string]: unknown }>;
  [key: string]: unknown;
}

export interface TaskItem extends ThreadItem {
  type: "task";
  task: Task;
}

export interface Workflow {
  type: "custom" | "reasoning";
  tasks: Task[];
  summary?: { title?: string; duration?: number };
  expanded?: boolean;
}

export interface WorkflowItem extends ThreadItem {
  type: "workflow";
  workflow: Workflow;
}

export interface ClientToolCallItem extends ThreadItem {
  type: "client_tool_call";
  status: "pending" | "completed";
  call_id: string;
  name: string;
  arguments: Record<string, unknown>;
  output?: unknown;
}

/** A widget tree node (chatkit/widgets.py): `type` names the component; props vary by type. */
export interface WidgetComponent {
  type: string;
  id?: string;
  key?: string;
  children?: unknown;
  [key: string]: unknown;
}

/** ChatKit's ActionConfig as a widget carries it (chatkit/actions.py). */
export interface ActionConfig {
  type: string;
  payload?: unknown;
  handler?: "server" | "client";
  loadingBehavior?: "auto" | "none" | "self" | "container";
  streaming?: boolean;
}

/** What `threads.custom_action` sends as `action`. */
export interface WidgetAction {
  type: string;
  payload: unknown;
}

export interface WidgetItem extends ThreadItem {
  type: "widget";
  widget: WidgetComponent;
  copy_text?: string;
}

export interface GeneratedImageItem extends ThreadItem {
  type: "generated_image";
  image?: { id: string; url: string } | null;
  /** Not ChatKit's: the last `generated_image.updated` progress (0-1), kept for the row. */
  progress?: number | null;
}

export interface StructuredInputAnswer {
  values: string[];
  skipped: boolean;
}

export interface StructuredInputQuestion {
  type: "multiple_choice" | "freeform";
  id: string;
  question: string;
  answer?: StructuredInputAnswer | null;
  /** multiple_choice only. */
  options?: Array<{ value: string }>;
  multiple?: boolean;
  /** freeform only. */
  description?: string | null;
}

export interface StructuredInputItem extends ThreadItem {
  type: "structured_input";
  status: "pending" | "answered" | "skipped";
  inputs: StructuredInputQuestion[];
}

/** The `input` of a `threads.add_structured_input` request. */
export interface StructuredInputSubmission {
  status: "answered" | "skipped";
  answers: Record<string, StructuredInputAnswer>;
}

/** Rows the widget adds itself (not ChatKit items): failures and notices. */
export interface ErrorRow extends ThreadItem {
  type: "error";
  message: string;
  allow_retry: boolean;
  /** A message the server never received: Retry sends it again (local rows only). */
  resend_text?: string;
  /** The stream that failed (local rows only): Retry may send its request again. */
  stream_id?: string;
}

export interface NoticeRow extends ThreadItem {
  type: "notice";
  level: "info" | "warning" | "danger";
  message: string;
  title?: string;
}

export interface Thread {
  id: string;
  title?: string;
  created_at?: string;
  /** Not ChatKit's: when the newest item was made (our in-process backends list it). */
  updated_at?: string;
  status?: { type: "active" | "locked" | "closed"; reason?: string };
  items?: Page<ThreadItem>;
  /** What the backend shares of its metadata: `notebook`, the one it started from. */
  metadata?: { notebook?: string };
}

export interface Page<T> {
  data: T[];
  has_more: boolean;
  after?: string;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isThreadItem(value: unknown): value is ThreadItem {
  return isRecord(value) && typeof value.id === "string" && typeof value.type === "string";
}

/** The ChatKit ops that answer with an event stream rather than a JSON body. */
export const STREAMING_OPS: ReadonlySet<string> = new Set([
  "threads.create",
  "threads.add_user_message",
  "threads.add_client_tool_output",
  "threads.retry_after_item",
  "threads.custom_action",
  "threads.add_structured_input",
]);
