// Renders ZPL files to PNG offline with zpl-renderer-js (a WASM build of the zebrash renderer),
// one node process for many labels (start-up takes about 2 s).
//   node render_zpl.js WIDTH_MM HEIGHT_MM DPMM IN.zpl OUT.png [IN.zpl OUT.png ...]
// A stream with several ^XA...^XZ labels renders one PNG per label: OUT.png, OUT-2.png, ...
'use strict';
const fs = require('fs');

async function main() {
    const [w, h, dpmm, ...files] = process.argv.slice(2);
    if (!dpmm || files.length === 0 || files.length % 2 !== 0) {
        console.error('usage: node render_zpl.js WIDTH_MM HEIGHT_MM DPMM IN.zpl OUT.png ...');
        process.exit(2);
    }
    const { api } = await require('zpl-renderer-js').ready;
    for (let i = 0; i < files.length; i += 2) {
        const zpl = fs.readFileSync(files[i], 'utf8');
        const labels = zpl.match(/\^XA[\s\S]*?\^XZ/g) || [];
        for (let n = 0; n < labels.length; n++) {
            const b64 = await api.zplToBase64Async(labels[n], Number(w), Number(h), Number(dpmm));
            const out = n === 0 ? files[i + 1] : files[i + 1].replace(/\.png$/, `-${n + 1}.png`);
            fs.writeFileSync(out, Buffer.from(b64, 'base64'));
        }
    }
}

main().catch((e) => {
    console.error(e && e.stack ? e.stack : e);
    process.exit(1);
});
