const doc=require('/tmp/openai.json');
function norm(n){ if(Array.isArray(n)) return n.map(norm); if(!n||typeof n!=='object') return n;
 const o={}; for (const [k,v] of Object.entries(n)) if(k!=='nullable') o[k]=norm(v);
 if (n.nullable===true) return {anyOf:[o,{type:'null'}]}; return o; }
const t0=performance.now();
const d=norm(doc);
const Ajv=require('ajv/dist/2020').default; const addFormats=require('ajv-formats').default;
const standalone=require('ajv/dist/standalone').default;
const ajv=new Ajv({strict:false,allErrors:true,verbose:true,logger:false,code:{source:true}}); addFormats(ajv);
for (const f of ['unixtime','int64','double','float','binary']) ajv.addFormat(f,true);
ajv.addSchema({...d,$id:'openai.json'});
const esc=s=>s.replace(/~/g,'~0').replace(/\//g,'~1');
const ptrs=[];
for (const [p,ops] of Object.entries(d.paths)) for (const [m,op] of Object.entries(ops)) { if(!op||!op.responses) continue;
  for (const [st,r] of Object.entries(op.responses)) for (const [ct,c] of Object.entries(r.content||{})) if (c.schema && ct==='application/json') ptrs.push(`/paths/${esc(p)}/${m}/responses/${st}/content/${esc(ct)}/schema`);
  const rb=op.requestBody?.content?.['application/json']?.schema; if (rb) ptrs.push(`/paths/${esc(p)}/${m}/requestBody/content/application~1json/schema`);
}
const sel = process.argv[2]==='all'? ptrs : ptrs.filter(p=>/chat~1completions|~1responses|embeddings|moderations|images|models|assistants|files|batches|completions/.test(p));
const refs={}; sel.forEach((p,i)=>{ ajv.addSchema({$ref:'openai.json#'+p}, 'v'+i); refs['v'+i]='v'+i;});
const t1=performance.now();
const code=standalone(ajv, refs);
const t2=performance.now();
require('fs').writeFileSync('/work/wt-openai/node_modules/.cache/x/validators.js', code);
console.log(sel.length,'norm+add',t1-t0,'standalone',t2-t1,'bytes',code.length);
const t3=performance.now(); const m=require('/work/wt-openai/node_modules/.cache/x/validators.js'); console.log('require',performance.now()-t3);
