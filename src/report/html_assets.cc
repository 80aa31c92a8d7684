// The style sheet and the script of --format html (html_report.cc writes
// them inline: the page fetches nothing). The script reads the JSON data
// island and only ever sets textContent and attributes, never HTML, so no
// name from a logdir can become markup. Runs are drawn when their section is
// first opened (or all at once with #all in the address).
namespace tblint {

extern const char* const kHtmlStyle;
extern const char* const kHtmlScript;

const char* const kHtmlStyle = R"CSS(
:root{--err:#c62828;--warn:#b26a00;--info:#1565c0;--ok:#2e7d32;--bar:#5c7cfa;--ink:#1d2330;--mute:#667;--line:#dde1e8}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);margin:0;background:#f6f7f9}
header,main>section{background:#fff;margin:12px 16px;padding:12px 16px;border:1px solid var(--line);border-radius:6px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:0 0 8px}
.logdir{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all;margin:2px 0}
.totals,.note,.hint{color:var(--mute)}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;margin-right:4px}
.badge.error{background:var(--err)}.badge.warning{background:var(--warn)}.badge.info{background:var(--info)}
.badge.clean{background:var(--ok)}.badge.hidden{background:#7b1fa2}
.filters{display:flex;flex-wrap:wrap;gap:8px;margin-bottom:8px}
.filters select,.filters input{font:inherit;padding:2px 4px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:3px 6px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#f0f2f5;position:sticky;top:0}
td.msg{word-break:break-word}td.path{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;word-break:break-all;min-width:9em}
.impact{color:var(--mute);font-size:12px}
tr.sev-error td:first-child{border-left:3px solid var(--err)}tr.sev-warning td:first-child{border-left:3px solid var(--warn)}
tr.sev-info td:first-child{border-left:3px solid var(--info)}
details.run{border-top:1px solid var(--line);padding:4px 0}
details.run>summary{cursor:pointer;font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
details.rule>summary{cursor:pointer}
pre.doc{white-space:pre-wrap;background:#f6f7f9;padding:8px;border-radius:4px;font-size:12px}
svg.timeline{width:100%;height:auto;background:#fff;font:11px ui-monospace,Menlo,Consolas,monospace}
svg .bar{fill:var(--bar)}svg .bar.live{fill:url(#live)}svg .bar.damaged{fill:#8d9bd8}
svg .dmg{fill:url(#hatch);stroke:var(--err)}
svg .overlap rect{fill:rgba(230,120,0,.28);stroke:#e67800;stroke-dasharray:4 2}
svg .gap{fill:none;stroke:#999;stroke-dasharray:2 3}
svg .mark{fill:var(--err)}svg .mark.warn{fill:var(--warn)}svg .mark.info{fill:var(--info)}
svg text.lbl{fill:var(--ink)}svg text.ann{fill:#8a4b00}svg text.dm{fill:var(--err)}
svg .axis{stroke:#bbb}svg text.tick{fill:var(--mute)}
.axis-switch{margin:4px 0}
.runfindings{margin:4px 0 8px 18px;padding:0}
svg.spark{width:160px;height:28px;vertical-align:middle}svg.spark polyline{fill:none;stroke:var(--bar);stroke-width:1.2}
a{color:#1a56c4}
)CSS";

const char* const kHtmlScript = R"JS(
(function(){
'use strict';
var D=JSON.parse(document.getElementById('tblint-data').textContent);
var NS='http://www.w3.org/2000/svg';
var main=document.getElementById('main');
function el(t,a,x){var e=document.createElement(t);if(a)for(var k in a)e.setAttribute(k,a[k]);if(x!=null)e.textContent=x;return e;}
function sv(t,a,x){var e=document.createElementNS(NS,t);if(a)for(var k in a)e.setAttribute(k,a[k]);if(x!=null)e.textContent=x;return e;}
function tip(node,text){node.appendChild(sv('title',null,text));return node;}
function wall(t){if(t==null)return '-';var d=new Date(t*1000);return isNaN(d)?String(t):d.toISOString().replace('T',' ').replace(/\.\d+Z$/,' UTC');}
function dur(s){s=Math.abs(s);if(s<120)return s.toFixed(1)+' s';if(s<7200)return (s/60).toFixed(1)+' min';if(s<172800)return (s/3600).toFixed(1)+' h';return (s/86400).toFixed(1)+' d';}
function short(s,n){return s.length>n?s.slice(0,n-1)+'\u2026':s;}
function rule(c){return (D.rules[c]&&D.rules[c].name)||'';}
var sevOrder={error:0,warning:1,info:2};

// --- findings table --------------------------------------------------------
var fsec=el('section',{id:'findings'});
fsec.appendChild(el('h2',null,'Findings ('+D.findings.length+')'));
if(!D.findings.length){fsec.appendChild(el('p',null,'No findings: the logdir is clean.'));}
var filt=el('div',{'class':'filters'});
function sel(id,label,opts){var s=el('select',{id:id,'aria-label':label});s.appendChild(el('option',{value:''},label+': all'));
  opts.forEach(function(o){s.appendChild(el('option',{value:o[0]},o[1]));});filt.appendChild(s);return s;}
var codes={},runsWith={};
D.findings.forEach(function(f){codes[f.c]=1;runsWith[f.r]=1;});
var sSev=sel('f-sev','severity',[['error','error'],['warning','warning'],['info','info']]);
var sCode=sel('f-code','code',Object.keys(codes).sort().map(function(c){return [c,c+' '+rule(c)];}));
var sRun=sel('f-run','run',Object.keys(runsWith).sort().map(function(r){return [r,short(r,60)];}));
var q=el('input',{id:'f-text',type:'search',placeholder:'search text','aria-label':'search'});filt.appendChild(q);
var shown=el('span',{'class':'note',id:'f-shown'});filt.appendChild(shown);
if(D.findings.length)fsec.appendChild(filt);
var table=el('table',{id:'findings-table'});
var thead=el('thead');var hr=el('tr');['severity','rule','run','path','message'].forEach(function(h){hr.appendChild(el('th',null,h));});
thead.appendChild(hr);table.appendChild(thead);var tbody=el('tbody');table.appendChild(tbody);
var rows=[];
D.findings.forEach(function(f){
  var tr=el('tr',{'class':'finding sev-'+f.sv,'data-finding':f.id,id:'finding-'+f.id});
  tr.appendChild(el('td',null,f.sv));
  var tc=el('td');tc.appendChild(el('a',{href:'#rule-'+f.c,title:rule(f.c)},f.c));tc.appendChild(document.createTextNode(' '+f.n));tr.appendChild(tc);
  var rc=el('td',{'class':'path'});
  if(f.ri!=null)rc.appendChild(el('a',{href:'#run-'+f.ri},f.r));else rc.textContent=f.r;tr.appendChild(rc);
  var loc=f.p;if(f.o!=null)loc+=' @ byte '+f.o;if(f.t!=null)loc+=' tag '+f.t;if(f.st!=null)loc+=' step '+f.st;
  tr.appendChild(el('td',{'class':'path'},loc));
  var mc=el('td',{'class':'msg'},f.m);if(f.i){mc.appendChild(el('div',{'class':'impact'},'TensorBoard: '+f.i));}
  if(f.fx)mc.appendChild(el('div',{'class':'impact'},'fix: '+f.fx+(f.fx==='unsafe'?' (--fix --unsafe-fixes)':' (--fix)')));
  tr.appendChild(mc);
  tr._text=(f.c+' '+f.n+' '+f.r+' '+loc+' '+f.m+' '+(f.i||'')).toLowerCase();
  tr._f=f;rows.push(tr);tbody.appendChild(tr);
});
function applyFilter(){var sv_=sSev.value,c=sCode.value,r=sRun.value,t=q.value.toLowerCase(),n=0;
  rows.forEach(function(tr){var f=tr._f;var ok=(!sv_||f.sv===sv_)&&(!c||f.c===c)&&(!r||f.r===r)&&(!t||tr._text.indexOf(t)>=0);
    tr.style.display=ok?'':'none';if(ok)n++;});shown.textContent=n+' of '+rows.length+' shown';}
[sSev,sCode,sRun].forEach(function(s){s.addEventListener('change',applyFilter);});q.addEventListener('input',applyFilter);
if(D.findings.length){fsec.appendChild(table);applyFilter();}
main.appendChild(fsec);

// --- runs ------------------------------------------------------------------
var rsec=el('section',{id:'runs'});
rsec.appendChild(el('h2',null,'Runs ('+D.runs.length+')'));
var bar=el('p',{'class':'hint'});
var all=el('button',{type:'button',id:'expand-all'},'open all runs');bar.appendChild(all);
bar.appendChild(document.createTextNode(' Each run is drawn when opened. Timeline: one bar per event file in TensorBoard\u2019s read order; hover a bar for its details.'));
rsec.appendChild(bar);
var sections=[];
D.runs.forEach(function(run,i){
  var d=el('details',{'class':'run',id:'run-'+i,'data-run':i});
  var s=el('summary');
  s.appendChild(document.createTextNode((D.logdirs.length>1?D.logdirs[run.l].given+' \u203a ':'')+run.n+'  '));
  var cnt={error:0,warning:0,info:0};
  run.f.forEach(function(f){(f.fd||[]).forEach(function(id){cnt[D.findings[id].sv]++;});});
  run.fd.forEach(function(id){if(D.findings[id].fi==null)cnt[D.findings[id].sv]++;});
  s.appendChild(el('span',{'class':'note'},run.f.length+(run.f.length===1?' file  ':' files  ')));
  var any=false;['error','warning','info'].forEach(function(k){if(cnt[k]){any=true;s.appendChild(el('span',{'class':'badge '+k},cnt[k]+' '+k));}});
  if(!any)s.appendChild(el('span',{'class':'badge clean'},'clean'));
  d.appendChild(s);
  d.addEventListener('toggle',function(){if(d.open&&!d._drawn){d._drawn=true;drawRun(d,run,i);}});
  sections.push(d);rsec.appendChild(d);
});
main.appendChild(rsec);

function drawRun(d,run,ri){
  var body=el('div',{'class':'run-body'});
  var sw=el('div',{'class':'axis-switch'});
  var holder=el('div',{'class':'timeline-holder'});
  ['step','wall'].forEach(function(ax,k){
    var lab=el('label');var r=el('input',{type:'radio',name:'axis-'+ri,value:ax});if(k===0)r.checked=true;
    r.addEventListener('change',function(){holder.textContent='';holder.appendChild(timeline(run,ri,ax));});
    lab.appendChild(r);lab.appendChild(document.createTextNode(k===0?' step axis  ':' wall-time axis'));sw.appendChild(lab);
  });
  body.appendChild(sw);holder.appendChild(timeline(run,ri,'step'));body.appendChild(holder);
  var rf=run.fd.filter(function(id){return D.findings[id].fi==null;});
  if(rf.length){var ul=el('ul',{'class':'runfindings'});rf.forEach(function(id){var f=D.findings[id];var li=el('li');
    li.appendChild(el('a',{href:'#finding-'+id},f.c+' '+f.n));li.appendChild(document.createTextNode(': '+f.m));ul.appendChild(li);});
    body.appendChild(el('div',{'class':'note'},'Findings about the run as a whole:'));body.appendChild(ul);}
  body.appendChild(tagTable(run));
  d.appendChild(body);
}

function range(f,ax){return ax==='step'?f.s:f.wt;}
function timeline(run,ri,ax){
  var W=1100,L=300,R=W-40,RH=36,top=36,n=run.f.length;
  var H=top+n*RH+44;
  var lo=Infinity,hi=-Infinity;
  run.f.forEach(function(f){var r=range(f,ax);if(r&&r[0]!=null&&r[1]!=null){lo=Math.min(lo,r[0]);hi=Math.max(hi,r[1]);}});
  var svg=sv('svg',{'class':'timeline','data-run':ri,'data-axis':ax,viewBox:'0 0 '+W+' '+H,role:'img'});
  svg.appendChild(sv('title',null,'timeline of run '+run.n+' over '+(ax==='step'?'steps':'wall time')));
  var defs=sv('defs');
  var p1=sv('pattern',{id:'hatch',width:6,height:6,patternUnits:'userSpaceOnUse',patternTransform:'rotate(45)'});
  p1.appendChild(sv('rect',{width:6,height:6,fill:'#fde0dc'}));p1.appendChild(sv('line',{x1:0,y1:0,x2:0,y2:6,stroke:'#c62828','stroke-width':3}));defs.appendChild(p1);
  var p2=sv('pattern',{id:'live',width:8,height:8,patternUnits:'userSpaceOnUse',patternTransform:'rotate(45)'});
  p2.appendChild(sv('rect',{width:8,height:8,fill:'#5c7cfa'}));p2.appendChild(sv('line',{x1:0,y1:0,x2:0,y2:8,stroke:'#c5d0fb','stroke-width':4}));defs.appendChild(p2);
  svg.appendChild(defs);
  var has=lo<=hi;if(!has){lo=0;hi=1;}if(hi===lo){hi=lo+1;}
  function X(v){return L+(v-lo)/(hi-lo)*(R-L);}
  function fmt(v){if(ax==='step')return String(Math.round(v));return v===lo?wall(v).replace(' UTC','').slice(5):'+'+dur(v-lo);}
  // axis
  var ay=top+n*RH+6;
  svg.appendChild(sv('line',{'class':'axis',x1:L,y1:ay,x2:R,y2:ay}));
  for(var k=0;k<=5;k++){var v=lo+(hi-lo)*k/5;var x=X(v);svg.appendChild(sv('line',{'class':'axis',x1:x,y1:top-4,x2:x,y2:ay+4,'stroke-dasharray':'1 4'}));
    svg.appendChild(sv('text',{'class':'tick',x:x,y:ay+17,'text-anchor':k===0?'start':k===5?'end':'middle'},fmt(v)));}
  svg.appendChild(sv('text',{'class':'tick',x:L,y:14},ax==='step'?'step \u2192':'wall time (UTC) \u2192'));
  if(!has)svg.appendChild(sv('text',{'class':'ann',x:L,y:top+12},ax==='step'?'no file logged a step':'no file has a wall time'));
  // overlaps under the bars
  (run.ov||[]).forEach(function(o){
    var f=D.findings[o.f],lab=o.c+' '+rule(o.c),r=ax==='step'?o.s:o.w;
    var attrs={'class':'overlap','data-overlap':o.f,'data-finding':o.f};
    if(o.a!=null&&r&&has){
      var x0=X(r[0]),x1=Math.max(X(r[1]),x0+4),y0=top+Math.min(o.a,o.b)*RH,y1=top+Math.max(o.a,o.b)*RH+21;
      var g=sv('g',attrs);g.appendChild(tip(sv('rect',{x:x0,y:y0,width:x1-x0,height:y1-y0}),f.m));
      var far=x1>W*0.6;g.appendChild(sv('text',{'class':'ann',x:far?x0-3:x1+3,y:y0-3,'text-anchor':far?'end':'start'},lab+': '+(ax==='step'?'steps '+r[0]+'\u2013'+r[1]:'overlap '+dur(r[1]-r[0]))));
      svg.appendChild(g);
    }else{
      var row=o.a!=null?Math.max(o.a,o.b):0;
      var g2=sv('g',attrs);g2.appendChild(tip(sv('text',{'class':'ann',x:L+4,y:top+row*RH-3,'text-anchor':'start'},lab+(o.a!=null?' (see '+(ax==='step'?'wall-time':'step')+' axis)':'')),f.m));
      svg.appendChild(g2);
    }
  });
  // gaps: spans of the axis no file covers
  if(has){var iv=[];run.f.forEach(function(f){var r=range(f,ax);if(r&&r[0]!=null&&r[1]!=null)iv.push([r[0],r[1]]);});
    iv.sort(function(a,b){return a[0]-b[0];});var end=iv.length?iv[0][1]:0;
    for(var j=1;j<iv.length;j++){if(iv[j][0]-end>(hi-lo)*0.02){var gx0=X(end),gx1=X(iv[j][0]);
        var gg=sv('g',{'class':'gap-g'});gg.appendChild(tip(sv('rect',{'class':'gap',x:gx0,y:top-2,width:gx1-gx0,height:n*RH}),'gap: no file covers '+(ax==='step'?'steps '+end+'\u2013'+iv[j][0]:dur(iv[j][0]-end))));
        gg.appendChild(sv('text',{'class':'tick',x:(gx0+gx1)/2,y:top+n*RH-2,'text-anchor':'middle'},'gap'));svg.appendChild(gg);}
      end=Math.max(end,iv[j][1]);}}
  // one row per file
  run.f.forEach(function(f,i){
    var y=top+i*RH,g=sv('g',{'class':'file','data-file':i});
    g.appendChild(sv('text',{'class':'lbl',x:4,y:y+14},short(f.n,44)));
    var info=f.n+'\nwriter: '+f.w+'\nrecords: '+f.r+' ('+f.e+' events), '+f.z+' bytes, '+f.g+' tags'+
      '\nsteps: '+(f.s?f.s[0]+'\u2013'+f.s[1]:'none')+'\nwall time: '+(f.wt?wall(f.wt[0])+' \u2013 '+wall(f.wt[1])+' ('+dur(f.wt[1]-f.wt[0])+')':'none')+
      (f.live?'\nmay still be written ('+f.live+')':'')+(f.d?'\ndamaged framing':'')+(f.io?'\n'+f.io:'')+(f.fmt?'\nnot TFRecord: '+f.fmt:'');
    var r=range(f,ax),x0,x1;
    if(r&&r[0]!=null&&r[1]!=null&&has){x0=X(r[0]);x1=Math.max(X(r[1]),x0+3);
      g.appendChild(tip(sv('rect',{'class':'bar'+(f.live?' live':'')+(f.d?' damaged':''),x:x0,y:y+3,width:x1-x0,height:15,rx:2}),info));}
    else{x0=x1=L;g.appendChild(tip(sv('rect',{'class':'bar',x:L-2,y:y+3,width:4,height:15}),info));
      g.appendChild(sv('text',{'class':'tick',x:L+6,y:y+14},f.r?'no '+(ax==='step'?'steps':'wall time'):'no records'));}
    var notes=[];
    if(f.live)notes.push(['ann','live: may still be written',null]);
    (f.fd||[]).forEach(function(id){var fd=D.findings[id],c=fd.c,lab=c+' '+fd.n;
      if(/^TB1/.test(c)&&fd.o!=null){ // damaged region, placed by byte offset along the bar
        var frac=f.z>0?Math.min(1,fd.o/f.z):1,dx=x0+(x1-x0)*frac,dw=Math.max(x1-dx,4);
        var m=sv('g',{'class':'mark damage','data-finding':id});m.appendChild(tip(sv('rect',{'class':'dmg',x:Math.min(dx,x1-4),y:y+1,width:dw,height:19}),fd.m+'\n(placed by byte offset along the bar)'));
        g.appendChild(m);notes.push(['dm',lab+' @ byte '+fd.o,id]);
      }else if((c==='TB302'||c==='TB301')&&fd.st!=null&&ax==='step'&&has){
        var mx=X(fd.st),mk=sv('g',{'class':'mark step-mark','data-finding':id});
        mk.appendChild(tip(sv('path',{'class':'mark'+(fd.sv==='info'?' info':' warn'),d:'M'+mx+' '+(y+18)+' l-5 7 h10 z'}),fd.m));
        mk.appendChild(tip(sv('line',{x1:mx,x2:mx,y1:y+1,y2:y+20,stroke:'#b26a00','stroke-width':2}),fd.m));
        g.appendChild(mk);notes.push(['ann',lab+(c==='TB302'?' back to step ':' at step ')+fd.st,id]);
      }else notes.push([fd.sv==='error'||/^TB1/.test(c)?'dm':'ann',lab,id]);
    });
    if(notes.length){var t=sv('text',{x:L,y:y+31,'font-size':10});
      notes.forEach(function(nt,k){var sp=sv('tspan',{'class':nt[0]},(k?' \u00b7 ':'')+nt[1]);if(nt[2]!=null){sp.setAttribute('data-finding',nt[2]);tip(sp,D.findings[nt[2]].m);}t.appendChild(sp);});
      g.appendChild(t);}
    svg.appendChild(g);
  });
  return svg;
}

function tagTable(run){
  var wrap=el('div',{'class':'tags'});
  if(!run.t.length){wrap.appendChild(el('p',{'class':'note'},'No tags.'));return wrap;}
  wrap.appendChild(el('p',{'class':'note'},'Tags by kind. Sparklines are drawn from a sample (at most '+D.sample_per_file+
    ' evenly spaced points per file, '+D.spark_points+' per tag here), for drawing only: not every value, and the range shown is the sample\u2019s.'));
  var tb=el('table',{'class':'tag-table'});var h=el('tr');['kind','tag','points','values (sampled)',''].forEach(function(x){h.appendChild(el('th',null,x));});
  tb.appendChild(h);
  var ts=run.t.slice().sort(function(a,b){return a.k<b.k?-1:a.k>b.k?1:(a.n<b.n?-1:a.n>b.n?1:0);});
  ts.forEach(function(t){var tr=el('tr',{'class':'tag'});
    tr.appendChild(el('td',null,t.k));tr.appendChild(el('td',{'class':'path'},t.n));tr.appendChild(el('td',null,String(t.p)));
    var c=el('td');if(t.v&&t.v.length)c.appendChild(spark(t.v));tr.appendChild(c);
    var hc=el('td');if(t.h!=null){var a=el('a',{href:'#finding-'+t.h,'class':'badge hidden','data-hidden':t.h,title:D.findings[t.h].m},'TB601 downsampled-tag: TensorBoard hides some points');hc.appendChild(a);}
    tr.appendChild(hc);tb.appendChild(tr);});
  wrap.appendChild(tb);return wrap;
}
function spark(v){
  var W=160,H=28,lo=Infinity,hi=-Infinity,s0=Infinity,s1=-Infinity;
  v.forEach(function(p){if(p[1]!=null){lo=Math.min(lo,p[1]);hi=Math.max(hi,p[1]);}s0=Math.min(s0,p[0]);s1=Math.max(s1,p[0]);});
  var svg=sv('svg',{'class':'spark',viewBox:'0 0 '+W+' '+H});
  if(!(lo<=hi)){svg.appendChild(sv('text',{x:2,y:18,'font-size':10},'no finite value'));return svg;}
  if(hi===lo){hi=lo+1;lo=lo-1;}if(s1===s0)s1=s0+1;
  var pts=[];v.forEach(function(p){if(p[1]!=null)pts.push(((p[0]-s0)/(s1-s0)*(W-4)+2).toFixed(1)+','+(H-3-(p[1]-lo)/(hi-lo)*(H-6)).toFixed(1));});
  svg.appendChild(sv('polyline',{points:pts.join(' ')}));
  tip(svg,'sampled: '+v.length+' points, min '+lo+', max '+hi+', steps '+s0+'\u2013'+s1);
  return svg;
}

// --- rules ------------------------------------------------------------------
var ksec=el('section',{id:'rules'});ksec.appendChild(el('h2',null,'Rules in this report'));
Object.keys(D.rules).sort().forEach(function(c){var r=D.rules[c];var d=el('details',{'class':'rule',id:'rule-'+c});
  d.appendChild(el('summary',null,c+' '+(r.name||'')+(r.summary?' \u2014 '+r.summary:'')));
  d.appendChild(el('pre',{'class':'doc'},r.doc||'(no documentation page)'));ksec.appendChild(d);});
if(Object.keys(D.rules).length)main.appendChild(ksec);

// --- navigation ---------------------------------------------------------------
function openAll(){sections.forEach(function(d){d.open=true;if(!d._drawn){d._drawn=true;drawRun(d,D.runs[+d.getAttribute('data-run')],+d.getAttribute('data-run'));}});}
all.addEventListener('click',openAll);
function go(){var h=decodeURIComponent(location.hash.slice(1));if(!h)return;
  if(h==='all'){openAll();return;}
  var quiet=h.indexOf('open-')===0;if(quiet)h=h.slice(5);  // #open-run-N: open it, do not scroll
  var t=document.getElementById(h);if(!t)return;
  if(t.tagName==='DETAILS'){t.open=true;if(t.classList.contains('run')&&!t._drawn){t._drawn=true;drawRun(t,D.runs[+t.getAttribute('data-run')],+t.getAttribute('data-run'));}}
  if(t.tagName==='TR'&&t.style.display==='none'){sSev.value='';sCode.value='';sRun.value='';q.value='';applyFilter();}
  if(!quiet)t.scrollIntoView();}
window.addEventListener('hashchange',go);go();
if(D.runs.length===1&&!location.hash){sections[0].open=true;}
})();
)JS";

}  // namespace tblint
