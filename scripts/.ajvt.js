const t0=performance.now();
const doc=require('/tmp/openai.json');
const t1=performance.now();
const Ajv=require('ajv/dist/2020').default; const addFormats=require('ajv-formats').default;
const ajv=new Ajv({strict:false,allErrors:true,validateFormats:true,verbose:true}); addFormats(ajv);
ajv.addSchema({...doc,$id:'openai.json'});
const t2=performance.now();
const esc=s=>s.replace(/~/g,'~0').replace(/\//g,'~1');
const ptrs=[];
for (const [p,ops] of Object.entries(doc.paths)) for (const [m,op] of Object.entries(ops)) { if(!op||!op.responses) continue;
  for (const [st,r] of Object.entries(op.responses)) for (const [ct,c] of Object.entries(r.content||{})) if (c.schema) ptrs.push(`/paths/${esc(p)}/${m}/responses/${st}/content/${esc(ct)}/schema`);
  const rb=op.requestBody?.content?.['application/json']?.schema; if (rb) ptrs.push(`/paths/${esc(p)}/${m}/requestBody/content/application~1json/schema`);
}
console.log('load',t1-t0,'add',t2-t1, ptrs.length);
const times=[];
for (const p of ptrs.filter(p=>/chat~1completions|~1responses|embeddings|moderations|images|models/.test(p))) { const s=performance.now(); try{ajv.compile({$ref:'openai.json#'+p});}catch(e){console.log('ERR',p,e.message.slice(0,200))} times.push([p,Math.round(performance.now()-s)]); }
console.log(times.sort((a,b)=>b[1]-a[1]).slice(0,15));
console.log('total', performance.now()-t2);
