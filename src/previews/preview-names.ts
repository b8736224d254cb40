// Where a product's quick-look image lives: the one naming rule the preview maker and the DataLink #preview lookup share.

/**
 * The quick-look image of a product, when one was made: `<name without .fits>.png` beside the product in its
 * step's folder (the web front end writes it; a recomputed step starts without one).
 */
export function previewFileName(fileName: string): string {
  return `${fileName.replace(/\.fits?$/i, '')}.png`;
}
