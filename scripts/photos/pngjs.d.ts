/** The slice of pngjs (no bundled types) that the photo experiment uses. */
declare module 'pngjs' {
  export const PNG: {
    sync: {
      /** Decodes a PNG; `data` is RGBA, 4 bytes per pixel, whatever the file's colour type. */
      read(buffer: Uint8Array): { width: number; height: number; data: Uint8Array };
    };
  };
}
