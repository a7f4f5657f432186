"""Which inputs and which learner the second look's lead rests on
(docs/IDENTITY.md, "Twelfth study"). Trains scikit-learn's
HistGradientBoostingClassifier (the frontier study's settings) on tuning
cases with several sets of inputs and prints, for each test file and for
the 20 000-person files pooled, the log loss and the best recall at a
false share <= 0.05 (the threshold picked on the file itself):

  X  the second look's own inputs (the "look" row of --features-out)
  C  the collective features of the frontier study (collective.py)
  E  which of the additive model's evidence lines fired (numbers as #)
  F  the profile facts and how the account was found (frontier.py's)
  A  follower, following, karma, repository counts and account year
  L  the additive model's log-odds alone (X holds it too)

  footprint eval --fit-from F.gob --features-out F.jsonl   (each file)
  python3 tools/identity-frontier/learners.py train.jsonl[,…] test.jsonl[,…] X,XC,FEC,…

Every probability the study reads is the additive model's (the first
input of "look"; "conf" is counted again from it), so a second look fitted
on the training files cannot leak into its inputs. Test files whose name holds "100k" are left out of
the pooled line. Needs numpy and scikit-learn (Debian: python3-sklearn);
a study tool, not part of the service or its tests.
"""
import json,sys,math,collections,os
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
sys.path.insert(0,os.path.dirname(os.path.abspath(__file__)))
from collective import add_collective,COLLECTIVE
NUM=['ulen','udigits','dn','loc','bio','avatar','photo','links','tags','website','company','n','conf','hasname','owndomain','localname','verified']
ART=['followers','following','karma','repos','year']
def load(paths):
    rows=[]
    for p in paths:
        for l in open(p):
            r=json.loads(l); r['file']=p
            r['p']=1/(1+math.exp(-r['look'][0]))
            r['ev']=[e for e in r['ev'] if not e.startswith('a second look')]
            rows.append(r)
    conf=collections.Counter((r['file'],r['case']) for r in rows if r['p']>=0.8)
    for r in rows: r['conf']=conf[(r['file'],r['case'])]
    add_collective(rows)
    return rows
def inputs(train):
    evk=collections.Counter(e for r in train for e in r['ev'])
    evs=[e for e,c in evk.items() if c>=20]
    srcs=sorted(set(r['source'] for r in train)); meths=sorted(set(r['method'].split(':')[0] for r in train)); origs=sorted(set(r['origin'] for r in train))
    def X(rows,v):
        out=[]
        for r in rows:
            f=[]
            if 'F' in v: f+=[float(r[k]) for k in NUM]+[r['source']==s for s in srcs]+[r['method'].split(':')[0]==m for m in meths]+[r['origin']==o for o in origs]
            if 'A' in v: f+=[float(r[k]) for k in ART]
            if 'E' in v:
                es=set(r['ev']); f+=[e in es for e in evs]
            if 'C' in v: f+=[float(r['col'].get(k,0)) for k in COLLECTIVE]
            if 'L' in v: f.append(r['look'][0])
            if 'X' in v: f+=r['look']
            out.append(f)
        return np.array(out,dtype=float)
    return X
def owned(rows): return sum({(r['file'],r['case']):r['owned'] for r in rows}.values())
def measure(p,y,own):
    o=np.argsort(-p); tp=np.cumsum(y[o]); fs=1-tp/np.arange(1,len(p)+1)
    best=tp[fs<=0.05].max()/own if (fs<=0.05).any() else 0
    ll=-np.mean(y*np.log(np.clip(p,1e-4,1))+(1-y)*np.log(np.clip(1-p,1e-4,1)))
    return f"best {best:.3f} ll {ll:.4f}"
def main():
    train=load(sys.argv[1].split(',')); tests={p:load([p]) for p in sys.argv[2].split(',')}
    X=inputs(train); y=np.array([r['truth'] for r in train])
    print('training rows',len(y),flush=True)
    for v in sys.argv[3].split(','):
        g=HistGradientBoostingClassifier(max_iter=400,learning_rate=0.05,max_leaf_nodes=31,min_samples_leaf=40,l2_regularization=1.0,random_state=1)
        g.fit(X(train,v),y)
        line=[]; pool=([],[],0)
        for path,rows in tests.items():
            yt=np.array([r['truth'] for r in rows]); p=g.predict_proba(X(rows,v))[:,1]
            line.append(os.path.basename(path)+': '+measure(p,yt,owned(rows)))
            if '100k' not in os.path.basename(path): pool=(pool[0]+[p],pool[1]+[yt],pool[2]+owned(rows))
        if pool[0]: line.append('pooled 20k: '+measure(np.concatenate(pool[0]),np.concatenate(pool[1]),pool[2]))
        print(f"{v:6s}",' | '.join(line),flush=True)
if __name__=='__main__': main()
