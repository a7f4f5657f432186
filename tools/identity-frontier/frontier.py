"""Frontier study of identity resolution (docs/IDENTITY.md, "What any model
could get from this evidence"). Trains a flexible learner (scikit-learn's
HistGradientBoostingClassifier: non-linear, with interactions) on the
features of tuning cases and compares, on other cases, the best recall it
reaches at a false share <= 0.05 with the shipped model's.

  footprint eval --fit-from train.gob --features-out train.jsonl   (likewise test)
  python3 tools/identity-frontier/frontier.py train.jsonl[,more] test.jsonl [imp]

Needs numpy and scikit-learn (Debian: python3-sklearn); a study tool, not
part of the service or its tests. "imp" adds permutation importances.
"""
import json,sys,math,collections
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
def load(paths):
    rows=[]
    for i,p in enumerate(paths):
        for l in open(p):
            r=json.loads(l); r['file']=p; rows.append(r)
    return rows
train=load(sys.argv[1].split(',')); test=load(sys.argv[2].split(','))
evk=collections.Counter(e for r in train for e in r['ev'])
evs=[e for e,c in evk.items() if c>=20]
srcs=sorted(set(r['source'] for r in train)); meths=sorted(set(r['method'].split(':')[0] for r in train)); origs=sorted(set(r['origin'] for r in train))
num=['ulen','udigits','dn','loc','bio','avatar','photo','followers','following','karma','repos','links','tags','website','company','n','conf','hasname','owndomain','localname','verified']
def X(rows,withp=True):
    out=[]
    for r in rows:
        v=[float(r[k]) for k in num]+[float(r.get('year',0))]
        v+=[r['source']==s for s in srcs]+[r['method'].split(':')[0]==m for m in meths]+[r['origin']==o for o in origs]
        es=set(r['ev']); v+=[e in es for e in evs]
        if withp:
            p=min(max(r['p'],1e-3),1-1e-3); v.append(math.log(p/(1-p)))
        out.append(v)
    return np.array(out,dtype=float)
y=np.array([r['truth'] for r in train]); yt=np.array([r['truth'] for r in test])
owned=sum({(r['file'],r['case']):r['owned'] for r in test}.values())
def frontier(name,p):
    order=np.argsort(-p); tp=np.cumsum(yt[order]); n=np.arange(1,len(p)+1); fs=1-tp/n
    best=max((tp[i]/owned for i in range(len(p)) if fs[i]<=0.05),default=0)
    at5=p>=0.5; r5=(yt&at5).sum()/owned; f5=1-(yt&at5).sum()/max(1,at5.sum())
    ll=-np.mean(yt*np.log(np.clip(p,1e-3,1))+(1-yt)*np.log(np.clip(1-p,1e-3,1)))
    print(f"{name:28s} best recall at FS<=0.05: {best:.3f} | at p>=0.5 {r5:.3f}/{f5:.3f} | logloss {ll:.4f}")
print("test owned",owned,"true returned",yt.sum(),"rows",len(yt))
frontier("model",np.array([r['p'] for r in test]))
for withp in [True,False]:
    g=HistGradientBoostingClassifier(max_iter=400,learning_rate=0.05,max_leaf_nodes=31,min_samples_leaf=40,l2_regularization=1.0,random_state=1)
    g.fit(X(train,withp),y)
    frontier(f"gbt (model logit {'in' if withp else 'out'})",g.predict_proba(X(test,withp))[:,1])
if len(sys.argv)>3:
    g=HistGradientBoostingClassifier(max_iter=400,learning_rate=0.05,max_leaf_nodes=31,min_samples_leaf=40,l2_regularization=1.0,random_state=1)
    Xtr=X(train); Xte=X(test); g.fit(Xtr,y)
    names=num+['year']+['src:'+s for s in srcs]+['meth:'+m for m in meths]+['orig:'+o for o in origs]+['ev:'+e[:70] for e in evs]+['logit']
    base=g.predict_proba(Xte)[:,1]
    def ll(p): return -np.mean(yt*np.log(np.clip(p,1e-3,1))+(1-yt)*np.log(np.clip(1-p,1e-3,1)))
    b=ll(base); rng=np.random.default_rng(0); imp=[]
    for j,nm in enumerate(names):
        Xp=Xte.copy(); Xp[:,j]=rng.permutation(Xp[:,j]); imp.append((ll(g.predict_proba(Xp)[:,1])-b,nm))
    for d,nm in sorted(imp,reverse=True)[:25]: print(f"{d:+.4f} {nm}")
