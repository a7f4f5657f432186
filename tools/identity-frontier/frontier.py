"""Frontier study of identity resolution (docs/IDENTITY.md, "What any model
could get from this evidence" and "Ninth study"). Trains a flexible learner
(scikit-learn's HistGradientBoostingClassifier: non-linear, with
interactions) on the features of tuning cases and compares, on other cases,
the best recall it reaches at a false share <= 0.05 with the shipped
model's — on each account's own features, and with the lookup's collective
features too (how the account agrees with the other accounts the same
lookup returned: collective.py).

  footprint eval --fit-from train.gob --features-out train.jsonl   (likewise test)
  python3 tools/identity-frontier/frontier.py train.jsonl[,more] test.jsonl[,more] [imp] [bound]

"imp" adds permutation importances (learner with collective features);
"bound" asks what recall 0.80 would take: the subject's accounts the model
ties at p >= 0.9, the share of the others recall 0.80 needs, and how many
of those the model and the learner reach at a given precision.

Needs numpy and scikit-learn (Debian: python3-sklearn); a study tool, not
part of the service or its tests.
"""
import json,sys,math,collections,os
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
sys.path.insert(0,os.path.dirname(os.path.abspath(__file__)))
from collective import add_collective,COLLECTIVE
def load(paths):
    rows=[]
    for p in paths:
        for l in open(p):
            r=json.loads(l); r['file']=p; rows.append(r)
    add_collective(rows)
    return rows
train=load(sys.argv[1].split(',')); test=load(sys.argv[2].split(','))
evk=collections.Counter(e for r in train for e in r['ev'])
evs=[e for e,c in evk.items() if c>=20]
srcs=sorted(set(r['source'] for r in train)); meths=sorted(set(r['method'].split(':')[0] for r in train)); origs=sorted(set(r['origin'] for r in train))
num=['ulen','udigits','dn','loc','bio','avatar','photo','followers','following','karma','repos','links','tags','website','company','n','conf','hasname','owndomain','localname','verified']
def X(rows,withp=True,col=False):
    out=[]
    for r in rows:
        v=[float(r[k]) for k in num]+[float(r.get('year',0))]
        v+=[r['source']==s for s in srcs]+[r['method'].split(':')[0]==m for m in meths]+[r['origin']==o for o in origs]
        es=set(r['ev']); v+=[e in es for e in evs]
        if withp:
            p=min(max(r['p'],1e-3),1-1e-3); v.append(math.log(p/(1-p)))
        if col: v+=[float(r['col'].get(k,0)) for k in COLLECTIVE]
        out.append(v)
    return np.array(out,dtype=float)
def learner():
    return HistGradientBoostingClassifier(max_iter=400,learning_rate=0.05,max_leaf_nodes=31,min_samples_leaf=40,l2_regularization=1.0,random_state=1)
y=np.array([r['truth'] for r in train]); yt=np.array([r['truth'] for r in test])
owned=sum({(r['file'],r['case']):r['owned'] for r in test}.values())
def logloss(p): return -np.mean(yt*np.log(np.clip(p,1e-3,1))+(1-yt)*np.log(np.clip(1-p,1e-3,1)))
def frontier(name,p):
    order=np.argsort(-p); tp=np.cumsum(yt[order]); n=np.arange(1,len(p)+1); fs=1-tp/n
    best=max((tp[i]/owned for i in range(len(p)) if fs[i]<=0.05),default=0)
    at5=p>=0.5; r5=(yt&at5).sum()/owned; f5=1-(yt&at5).sum()/max(1,at5.sum())
    print(f"{name:36s} best recall at FS<=0.05: {best:.3f} | at p>=0.5 {r5:.3f}/{f5:.3f} | logloss {logloss(p):.4f}")
print("test owned",owned,"true returned",yt.sum(),"rows",len(yt))
pm=np.array([r['p'] for r in test])
frontier("model",pm)
fitted={}
for withp,col in [(True,False),(False,False),(True,True),(False,True)]:
    g=learner(); g.fit(X(train,withp,col),y); fitted[(withp,col)]=g
    frontier(f"gbt (model logit {'in' if withp else 'out'}{', collective' if col else ''})",g.predict_proba(X(test,withp,col))[:,1])
if 'imp' in sys.argv[3:]:
    g=fitted[(True,True)]; Xte=X(test,True,True)
    names=num+['year']+['src:'+s for s in srcs]+['meth:'+m for m in meths]+['orig:'+o for o in origs]+['ev:'+e[:70] for e in evs]+['logit']+COLLECTIVE
    b=logloss(g.predict_proba(Xte)[:,1]); rng=np.random.default_rng(0); imp=[]
    for j,nm in enumerate(names):
        Xp=Xte.copy(); Xp[:,j]=rng.permutation(Xp[:,j]); imp.append((logloss(g.predict_proba(Xp)[:,1])-b,nm))
    for d,nm in sorted(imp,reverse=True)[:25]: print(f"{d:+.4f} {nm}")
if 'bound' in sys.argv[3:]:
    tied=pm>=0.9; rest=~tied
    need=0.8*owned-(yt&tied).sum()
    print(f"tied at p>=0.9: {(yt&tied).sum()} true, {(~yt&tied).sum()} wrong; below: {(yt&rest).sum()} true among {rest.sum()};"
          f" recall 0.80 needs {need:.0f} of them ({need/max(1,(yt&rest).sum()):.2f})")
    for name,p in [('model',pm),('gbt, collective',fitted[(False,True)].predict_proba(X(test,False,True))[:,1])]:
        o=np.argsort(-p[rest]); tp=np.cumsum(yt[rest][o]); n=np.arange(1,rest.sum()+1)
        got=[max([tp[i] for i in range(len(tp)) if tp[i]/n[i]>=prec],default=0) for prec in (0.95,0.9,0.8,0.7,0.5)]
        print(f"{name}: true accounts below p 0.9 it finds at precision 0.95/0.9/0.8/0.7/0.5: "+' / '.join(map(str,got)))
