"""Residual study of identity resolution (docs/IDENTITY.md, seventh round):
groups of accounts sharing one or two features (method, platform, origin of
a guess, each evidence sentence, username facts) where the model's
probabilities are off — the subject's accounts observed (O) against the sum
of the probabilities (E), a z-score and the log-odds shift that would
calibrate the group — on tuning cases, and the same groups on check cases.
Interactions that hold on both are candidates for model terms.

  footprint eval --fit-from F.gob --features-out F.jsonl
  python3 tools/identity-frontier/residuals.py fit.jsonl[,more] [check.jsonl[,more]]

Needs numpy; a study tool, not part of the service or its tests.
"""
import json,sys,math,collections,itertools,re
import numpy as np
def load(fs): return [json.loads(l) for f in fs.split(',') for l in open(f)]
def feats(r):
    f=set()
    f.add('m:'+r['method'].split(':')[0]); f.add('s:'+r['source']); f.add('o:'+(r['origin'] or '-'))
    for e in r['ev']:
        e=re.sub(r'(GitHub|GitLab|Reddit|Bluesky|Mastodon|Keybase|dev\.to|Hacker News|Gravatar|DEV)','P',e)
        e=re.sub(r' the \w+ account',' the X account',e)
        f.add('e:'+e[:80])
    if r['localname']: f.add('x:localname')
    if r['udigits']>0: f.add('x:digits')
    f.add('x:links=%s'%min(r['links'],3))
    if r['followers']>=0: f.add('x:fol>=1000' if r['followers']>=math.log1p(1000) else 'x:fol<1000')
    if not r['dn']: f.add('x:nodn')
    if r['loc']: f.add('x:loc')
    return f
def shift(p,y):
    lo=np.log(np.clip(p,1e-3,1-1e-3)/(1-np.clip(p,1e-3,1-1e-3))); t=y.sum()
    a,b=-6,6
    for _ in range(50):
        m=(a+b)/2
        if (1/(1+np.exp(-(lo+m)))).sum()<t: a=m
        else: b=m
    return (a+b)/2
def study(rows,minn=60,keep=None,guess_only=True):
    rows=[r for r in rows if 0.02<r['p']<0.98] if guess_only else rows
    F=[feats(r) for r in rows]; p=np.array([r['p'] for r in rows]); y=np.array([r['truth'] for r in rows],float)
    idx=collections.defaultdict(list)
    for i,f in enumerate(F):
        fs=sorted(f)
        for a in fs: idx[(a,)].append(i)
        for a,b in itertools.combinations(fs,2): idx[(a,b)].append(i)
    out={}
    for k,ix in idx.items():
        if len(ix)<minn and keep is None: continue
        if keep is not None and k not in keep: continue
        ix=np.array(ix); O=y[ix].sum(); E=p[ix].sum(); v=(p[ix]*(1-p[ix])).sum()
        if v<1: continue
        z=(O-E)/math.sqrt(v)
        out[k]=(len(ix),O,E,z,shift(p[ix],y[ix]))
    return out
fit=load(sys.argv[1]); res=study(fit)
top=sorted(res.items(),key=lambda kv:-abs(kv[1][3]))[:45]
chk=study(load(sys.argv[2]),keep=set(k for k,_ in top)) if len(sys.argv)>2 else {}
for k,(n,O,E,z,d) in top:
    c=chk.get(k)
    cs=f"| check n {c[0]:5d} O {c[1]:5.0f} E {c[2]:6.1f} z {c[3]:+5.1f} shift {c[4]:+.2f}" if c else ""
    print(f"n {n:5d} O {O:5.0f} E {E:6.1f} z {z:+5.1f} shift {d:+.2f} {cs}  {' & '.join(k)}")
