"""Sanity checks for the held-out gold (corpus/heldout/gold.jsonl).

Run from the checkout:  .venv/bin/python corpus/heldout/validate.py
Checks JSON structure and field types against ANNOTATION.md, that every
evidence string occurs verbatim in its article, that levels and date
normalisations are valid, that model places name a place of the same
article, article length (350-900 words), and (if the vietnamadminunits
gazetteer is installed) that every non-village place exists with that level
in that province, before or after the 1 July 2025 reorganisation.
Exit status 1 if any error is found; warnings do not fail.
"""
import datetime
import glob
import json
import os
import re
import sqlite3
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
ART = os.path.join(HERE, 'articles')
GOLD = os.path.join(HERE, 'gold.jsonl')

KINDS = {
    'models': ['name', 'place', 'count'],
    'counts': ['value', 'denominator', 'unit', 'qualifier'],
    'officials': ['name', 'rank', 'title'],
    'places': ['name', 'level', 'province'],
    'dates': ['value'],
}
EXTRA = {'optional', 'evidence', 'note'}
LEVELS = {'tỉnh', 'huyện', 'xã', 'thôn'}
RANKS = {'Thiếu úy', 'Trung úy', 'Thượng úy', 'Đại úy', 'Thiếu tá', 'Trung tá',
         'Thượng tá', 'Đại tá', 'Thiếu tướng', 'Trung tướng', 'Thượng tướng', 'Đại tướng'}
ONE = r'\d{4}(?:-\d{2}(?:-\d{2})?)?'
DATE_RE = re.compile(rf'^{ONE}(?:/{ONE})?$')

errors, warnings = [], []


def err(msg):
    errors.append(msg)


def warn(msg):
    warnings.append(msg)


def valid_calendar(v):
    for part in v.split('/'):
        bits = part.split('-')
        try:
            if len(bits) == 3:
                datetime.date(int(bits[0]), int(bits[1]), int(bits[2]))
            elif len(bits) == 2:
                datetime.date(int(bits[0]), int(bits[1]), 1)
        except ValueError:
            return False
    return True


def fold(s):
    """Case/space/quote/diacritic-insensitive key (stronger than the scorer's)."""
    s = unicodedata.normalize('NFD', s.lower().replace('đ', 'd'))
    s = ''.join(ch for ch in s if unicodedata.category(ch) != 'Mn')
    s = re.sub(r'[“”"\'‘’]', '', s)
    return re.sub(r'\s+', ' ', s).strip()


def gazetteer():
    cands = glob.glob(os.path.join(HERE, '..', '..', '.venv', 'lib', 'python*', 'site-packages',
                                   'vietnamadminunits', 'data', 'dataset.db'))
    if not cands:
        warn('gazetteer not found: place names not checked')
        return None
    c = sqlite3.connect(cands[0])
    g = {'tỉnh': set(), 'huyện': set(), 'xã': set()}
    def bare(n):  # 'Duyên Hải (Thị xã)' -> 'Duyên Hải'
        return re.sub(r'\s*\(.*\)$', '', n or '')
    for p, d, w in c.execute('select provinceShort, districtShort, wardShort from admin_units_legacy'):
        g['tỉnh'].add((p, p))
        g['huyện'].add((bare(d), p))
        g['xã'].add((bare(w), p))
    for p, w in c.execute('select provinceShort, wardShort from admin_units'):
        g['tỉnh'].add((p, p))
        g['xã'].add((bare(w), p))
    return g


def main():
    gaz = gazetteer()
    rows = [json.loads(l) for l in open(GOLD, encoding='utf-8') if l.strip()]
    files = sorted(os.path.basename(p) for p in glob.glob(os.path.join(ART, '*.txt')))
    docs = [r['doc'] for r in rows]
    if sorted(docs) != files:
        err(f'gold docs {sorted(docs)} != article files {files}')
    if len(set(docs)) != len(docs):
        err('duplicate doc lines')
    totals = {k: [0, 0] for k in KINDS}
    for r in rows:
        doc = r.get('doc', '?')
        if set(r) != {'doc', 'published'} | set(KINDS):
            err(f'{doc}: top-level keys {sorted(r)}')
        if not re.fullmatch(r'h\d\d_[a-z0-9_]+\.txt', doc):
            err(f'{doc}: bad file name')
        path = os.path.join(ART, doc)
        if not os.path.exists(path):
            err(f'{doc}: article missing')
            continue
        text = open(path, encoding='utf-8').read()
        nw = len(text.split())
        if not 350 <= nw <= 900:
            err(f'{doc}: {nw} words, outside 350-900')
        pub = r['published']
        if pub is not None and not (re.fullmatch(r'\d{4}-\d{2}-\d{2}', pub) and valid_calendar(pub)):
            err(f'{doc}: bad published {pub!r}')
        for kind, fields in KINDS.items():
            for i, it in enumerate(r[kind]):
                where = f'{doc} {kind}[{i}]'
                keys = set(it)
                if not set(fields) | {'optional'} <= keys or keys - set(fields) - EXTRA:
                    err(f'{where}: keys {sorted(keys)}')
                    continue
                if not isinstance(it['optional'], bool):
                    err(f'{where}: optional must be a bool')
                totals[kind][1 if it['optional'] else 0] += 1
                ev = it.get('evidence')
                if not ev:
                    err(f'{where}: no evidence')
                elif ev not in text:
                    err(f'{where}: evidence not verbatim in article: {ev[:60]!r}')
                if 'note' in it and not (isinstance(it['note'], str) and it['note']):
                    err(f'{where}: empty note')
                if kind == 'models':
                    if not it['name'] or not isinstance(it['name'], str):
                        err(f'{where}: empty name')
                    if it['count'] is not None and not isinstance(it['count'], int):
                        err(f'{where}: count must be int or null')
                elif kind == 'counts':
                    v = it['value']
                    if v is None:
                        if not it['optional']:
                            err(f'{where}: value null on a non-optional count')
                    elif isinstance(v, bool) or not isinstance(v, (int, float)):
                        err(f'{where}: value must be a number')
                    if it['denominator'] is not None and not isinstance(it['denominator'], int):
                        err(f'{where}: denominator must be int or null')
                    if not it['unit'] or not isinstance(it['unit'], str):
                        err(f'{where}: empty unit')
                    if it['qualifier'] is not None and not isinstance(it['qualifier'], str):
                        err(f'{where}: qualifier must be str or null')
                elif kind == 'officials':
                    if it['rank'] is not None and it['rank'] not in RANKS:
                        err(f'{where}: unknown rank {it["rank"]!r}')
                    if it['rank'] is None and it['title'] is None and not it['optional']:
                        err(f'{where}: no rank and no title but not optional')
                elif kind == 'places':
                    if it['level'] not in LEVELS:
                        err(f'{where}: bad level {it["level"]!r}')
                    if it['level'] == 'thôn' and not it['optional']:
                        err(f'{where}: villages must be optional')
                    if it['level'] == 'tỉnh' and it['province'] != it['name']:
                        err(f'{where}: a province\'s province must be itself')
                    if gaz and it['level'] in gaz and (it['name'], it['province']) not in gaz[it['level']]:
                        err(f'{where}: {it["name"]!r} ({it["level"]}, {it["province"]}) not in gazetteer')
                elif kind == 'dates':
                    v = it['value']
                    if not (isinstance(v, str) and DATE_RE.fullmatch(v) and valid_calendar(v)):
                        err(f'{where}: bad date value {v!r}')
        # cross-item checks
        pnames = {p['name'] for p in r['places']}
        for m in r['models']:
            if m['place'] is not None and m['place'] not in pnames:
                err(f'{doc}: model place {m["place"]!r} is not a place of the article')
        keys = [fold(m['name']) for m in r['models']]
        if len(keys) != len(set(keys)):
            err(f'{doc}: duplicate model names (after folding)')
        names = [o['name'] for o in r['officials']]
        if len(names) != len(set(names)):
            err(f'{doc}: duplicate officials')
        dv = [d['value'] for d in r['dates']]
        if len(dv) != len(set(dv)):
            err(f'{doc}: duplicate date values')
        pk = [(p['name'], p['level'], p['province']) for p in r['places']]
        for k in set(pk):
            if pk.count(k) > 1:
                warn(f'{doc}: {pk.count(k)} place items share {k} (distinct units with the same name?)')
        if pub and not any(d['value'] == pub for d in r['dates']):
            warn(f'{doc}: dateline not listed (optionally) in dates')
    for w in warnings:
        print('WARNING', w)
    for e in errors:
        print('ERROR', e)
    print(f'{len(rows)} articles')
    for k, (n, o) in totals.items():
        print(f'  {k:9s} {n:4d} non-optional  {o:4d} optional')
    print('OK' if not errors else f'{len(errors)} errors')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
