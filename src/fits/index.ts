// FITS reading and writing for drsoda: headers, images and binary tables (the public surface of src/fits).
export { FitsError } from './errors.js';
export { Header, type Card, type HeaderValue } from './header.js';
export { type Image } from './image-codec.js';
export { type CellValue, type Table, type TableColumn, type TableColumnSpec } from './table-codec.js';
export { findHdu, readHeaders, readImage, readTable, type Hdu } from './read.js';
export { encodeFits, writeFits, type HduSpec, type ImageHduSpec, type TableHduSpec } from './write.js';
