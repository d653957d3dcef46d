// Never download a browser: tests drive the system Chromium (see README).
module.exports = { skipDownload: true };
