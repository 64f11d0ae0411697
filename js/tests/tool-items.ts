import type { ThreadItem } from "../src/chatkit/types";
import type { ToolStatus } from "../src/state/types";

export interface ToolFields {
  call_id?: string;
  name?: string;
  arguments?: Record<string, unknown>;
  output?: string | null;
  error?: string | null;
  ask_every_time?: boolean;
}

/** A kernel tool row as the task item the kernel writes (tests/contracts/tool-rows.json). */
export function toolItem(
  id: string,
  status: ToolStatus,
  fields: ToolFields = {},
  threadId = "thr_1",
): ThreadItem {
  const row = {
    call_id: "call_1",
    name: "add_task",
    arguments: { title: "buy milk" },
    status,
    output: null,
    error: null,
    ...fields,
  };
  // json.dumps, then "-->" escaped so it cannot end the comment.
  const json = JSON.stringify(row).replaceAll("-->", "--\\u003e");
  return {
    id,
    thread_id: threadId,
    created_at: "2026-01-02T03:04:05Z",
    type: "task",
    task: {
      type: "custom",
      title: row.name,
      status_indicator: status === "pending" || status === "approval" ? "loading" : "complete",
      content: `<!-- chatkit-widget:tool ${json} -->\n**${row.name}**`,
    },
  };
}
