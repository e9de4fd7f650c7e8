#pragma once
// The report page's style and script, inline: the page opens from disk with nothing beside it and
// loads nothing from the network.
namespace mc::report {

inline constexpr const char* kReportCss = R"css(
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px 32px;color:#1d2330;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dde1e8;padding-bottom:4px}
h3{font-size:15px;margin:0 0 6px;font-family:ui-monospace,monospace}
.meta{color:#5a6272;margin-bottom:14px}.counts span{margin-right:16px}
table.runs{border-collapse:collapse;font-size:13px}
table.runs th,table.runs td{padding:4px 6px;border-bottom:1px solid #e6e9ef;text-align:right;white-space:nowrap}
table.runs th{background:#f2f4f8;cursor:pointer;white-space:normal;vertical-align:bottom;user-select:none;position:sticky;top:0}
table.runs th.sorted-asc::after{content:" \25B2"}table.runs th.sorted-desc::after{content:" \25BC"}
table.runs td.text,table.runs th.text{text-align:left}
table.runs td.reason{white-space:normal;min-width:200px;max-width:320px;word-break:break-all;text-align:left;color:#a11}
tr.failed td{background:#fdf0f0}tr.skipped td{color:#4a5263}
td.over{color:#c0392b;font-weight:600}
.status{padding:1px 6px;border-radius:8px;font-size:12px}.status.done{background:#e3f4e6}
.status.skipped{background:#e8ecf6}.status.failed{background:#f8d7d7}
section.run{border:1px solid #dde1e8;border-radius:6px;padding:12px 14px;margin:14px 0}
section.run.failed{background:#fdf5f5}
.plots{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-start}
.means{display:flex;gap:12px}.means figure{margin:0;text-align:center;font-size:12px;color:#5a6272}
.means img{width:110px;height:auto;image-rendering:pixelated;background:#000;display:block}
svg.plot text.ptitle{font-size:12px;font-weight:600;fill:#1d2330}svg.plot text.tick{font-size:10px;fill:#5a6272}
a{color:#2a5db0}
)css";

// Sorting: a click on a header sorts by its column (numbers as numbers, n/a last), a second click
// reverses. "#sort=<key>" or "#sort=-<key>" (descending) on opening sorts the same way, so a link
// (and the screenshot test) can ask for an order.
inline constexpr const char* kReportJs = R"js(
(function(){
  var table=document.getElementById('runs');if(!table)return;
  var body=table.tBodies[0];var heads=table.tHead.rows[0].cells;
  function sortBy(index,descending){
    var numeric=heads[index].getAttribute('data-type')==='number';
    var rows=Array.prototype.slice.call(body.rows);
    rows.sort(function(a,b){
      var x=a.cells[index].getAttribute('data-value'),y=b.cells[index].getAttribute('data-value');
      if(numeric){var nx=x===''?NaN:parseFloat(x),ny=y===''?NaN:parseFloat(y);
        if(isNaN(nx)&&isNaN(ny))return 0;if(isNaN(nx))return 1;if(isNaN(ny))return -1;
        return descending?ny-nx:nx-ny;}
      return descending?y.localeCompare(x):x.localeCompare(y);});
    rows.forEach(function(r){body.appendChild(r);});
    for(var i=0;i<heads.length;i++)heads[i].classList.remove('sorted-asc','sorted-desc');
    heads[index].classList.add(descending?'sorted-desc':'sorted-asc');
  }
  Array.prototype.forEach.call(heads,function(h,i){h.addEventListener('click',function(){
    sortBy(i,h.classList.contains('sorted-asc'));});});
  var m=/sort=(-?)([a-z_]+)/.exec(window.location.hash);
  if(m)for(var i=0;i<heads.length;i++)if(heads[i].getAttribute('data-key')===m[2])sortBy(i,m[1]==='-');
})();
)js";

}  // namespace mc::report
