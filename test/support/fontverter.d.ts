// fontverter 2.0.0 ships no types; this is the one call the font test makes.
declare module 'fontverter' {
  const fontverter: {
    /** Converts a font between sfnt (TrueType/OpenType), WOFF and WOFF2. */
    convert(font: Uint8Array, to: 'truetype' | 'sfnt' | 'woff' | 'woff2'): Promise<Buffer>;
  };
  export default fontverter;
}
