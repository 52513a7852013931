export { renderTrajectoryHtml, embedJson, type RenderOptions } from './render-trajectory-html.js';
export {
  writeTrajectoryViewer,
  readTrajectoryFile,
  openInBrowser,
  defaultHtmlPath,
  type WriteViewerOptions,
} from './write-trajectory-viewer.js';
export { prepareTrajectory, assertTrajectory, type PrepareOptions } from './prepare-trajectory.js';
export type { ContextPreview, ContextDocumentPreview } from './prepare-context.js';
export { TrajectoryFormatError } from './trajectory-format-error.js';
