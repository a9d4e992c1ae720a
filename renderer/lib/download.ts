/** Hands bytes or text to the browser as a download (web mode's Save and the profile export). */
export function downloadBlob(fileName: string, data: Uint8Array | string, type: string): void {
  const part = typeof data === 'string' ? data : (data as Uint8Array<ArrayBuffer>);
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([part], { type }));
  a.download = fileName;
  a.click();
  // The click starts the download synchronously; the URL can go once the browser has read it.
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
