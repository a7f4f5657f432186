"""Collective features for the frontier study (frontier.py): how each
account agrees with the other accounts its lookup returned, whatever their
probability — the same username on another platform (separators and
Bluesky's .bsky.social ignored), the same display name (accents, case and
word order ignored), the same photo (dHash within 10, mirrored uploads
included; flat graphics carry no hash), a link either way, the same
location, the same bio (one that at most three accounts of the lookup
show: not a stock phrase). For each kind: how many accounts agree (c_…)
and the highest probability among them (m_…). The shipped model only
compares an account with the confidently matched ones (p >= 0.8).

The shipped model's second look (scoring/identity/second.go, lookRows)
now computes inputs of this kind in Go, from the same accounts; they differ
in detail (display names compared with personname.Similarity >= 0.85, not
sorted words; locations case-insensitively; the same-platform rival and the
crowd counts added). This tool is kept for the ninth study's numbers.

same_photo restates scoring/identity's samePhoto (DefaultPhotoDistance 10,
the mirrored hash included): this tool reads JSON lines and cannot call
it, so a change there must be made here too.
"""
import collections,unicodedata
KINDS=['su','sn','sp','lk','sl','sb','su_sn','su_sp','sp_sn','agree']
COLLECTIVE=['c_'+k for k in KINDS]+['m_'+k for k in KINDS]
def norm_user(u):
    u=u.lower()
    if u.endswith('.bsky.social'): u=u[:-len('.bsky.social')]
    return u.split('@')[0].replace('_','').replace('-','').replace('.','')
def norm_name(n):
    n=unicodedata.normalize('NFKD',n or '').encode('ascii','ignore').decode().lower()
    return ' '.join(sorted(n.replace('.',' ').split()))
def same_photo(a,b):
    if a.get('ph') is None or b.get('ph') is None: return False
    d=bin(a['ph']^b['ph']).count('1')
    if a.get('phm'): d=min(d,bin(a['phm']^b['ph']).count('1'))
    return d<=10
def norm_url(u):
    u=(u or '').lower().split('://')[-1].rstrip('/')
    return u[4:] if u.startswith('www.') else u
def links_to(a,b):
    target=norm_url(b.get('url'))
    return target!='' and any(norm_url(l)==target for l in (a.get('link_list') or [])+[a.get('web') or ''])
def add_collective(rows):
    """Sets r['col'] on every row; rows of one lookup share file and case."""
    lookups=collections.defaultdict(list)
    for r in rows: lookups[(r.get('file'),r['case'])].append(r)
    for rs in lookups.values():
        bios=collections.Counter(r.get('bio_text') or '' for r in rs)
        for a in rs:
            count=collections.Counter(); best=collections.defaultdict(float)
            ua,na=norm_user(a['user']),norm_name(a.get('dn_text'))
            for b in rs:
                if b is a or b['source']==a['source']: continue
                su=ua!='' and ua==norm_user(b['user'])
                sn=na!='' and na==norm_name(b.get('dn_text'))
                sp=same_photo(a,b)
                lk=links_to(a,b) or links_to(b,a)
                sl=(a.get('loc_text') or '')!='' and a.get('loc_text')==b.get('loc_text')
                sb=(a.get('bio_text') or '')!='' and a.get('bio_text')==b.get('bio_text') and bios[a['bio_text']]<=3
                for k,v in zip(KINDS,[su,sn,sp,lk,sl,sb,su and sn,su and sp,sp and sn,sp or lk or (su and sn) or sb]):
                    if v: count[k]+=1; best[k]=max(best[k],b['p'])
            a['col']={**{'c_'+k:v for k,v in count.items()},**{'m_'+k:v for k,v in best.items()}}
