import type { CodeAction } from "./markdown/code-block";
import type { ThemeOptions, ThemePreference } from "./ui/theme";

/** A starter prompt on the start screen. */
export interface StarterPrompt {
  label: string;
  prompt: string;
}

/** Backend extensions the UI can offer (tests/contracts/features.json lists the same). */
export const FEATURES = ["edit", "feedback", "notebooks"] as const;
export type Feature = (typeof FEATURES)[number];

/** What a host tells the chat; each can change while it is shown (`ChatHandle.update`). */
export interface ChatSettings {
  /** The conversation shown; `null` is a new, empty one. */
  threadId: string | null;
  /** The composer's placeholder ("" = "Message"). */
  placeholder: string;
  /** CSS height of the whole chat ("" = 520px). */
  height: string;
  /** "auto" | "light" | "dark", or a normalised theme dict (see `_theme.py`). */
  theme: ThemePreference | ThemeOptions;
  /** The model's name in the header. */
  modelLabel: string;
  /** The offline demo model answers: the header and start screen say so. */
  offline: boolean;
  /** Start screen of an empty thread ("" = the built-in greeting). */
  greeting: string;
  prompts: readonly StarterPrompt[];
  /** Source of an ES module whose `renderMessage(item, el)` (or default export) renders items. */
  renderMessage: string;
  /** What the backend supports beyond the basics (unknown names are ignored). */
  features: readonly string[];
  /**
   * Origins (`https://host:port`) whose images show without a click, besides the page's own:
   * the remote ChatKit server's (generated images, widget images). Others wait for a click.
   */
  imageOrigins: readonly string[];
  /** What code blocks offer besides Copy: the host's `ChatCallbacks.codeAction` does it. */
  codeActions: readonly CodeAction[];
  /**
   * The notebook the user is in (a path), for a host that knows it: with the "notebooks"
   * feature, History can list only the conversations started from it.
   */
  notebook: string | null;
}

export const DEFAULT_SETTINGS: ChatSettings = {
  threadId: null,
  placeholder: "",
  height: "",
  theme: "auto",
  modelLabel: "",
  offline: false,
  greeting: "",
  prompts: [],
  renderMessage: "",
  features: [],
  imageOrigins: [],
  codeActions: [],
  notebook: null,
};
