// The conversation panel asset (see registry.ts): ui/history.ts and its stylesheet, which
// joins the page the first time History opens. ui/history-slot.ts stands in for it until then.
import css from "../styles/history-panel.css";
import { type HistoryActions, HistoryPanel } from "../ui/history";
import { addPageStyle } from "../util/dom";

export interface HistoryAsset {
  create(actions: HistoryActions, id: string, doc: Document): HistoryPanel;
}

const asset: HistoryAsset = {
  create(actions, id, doc) {
    addPageStyle(doc, "ckw-history-styles", () => css);
    return new HistoryPanel(actions, id);
  },
};
export default asset;
