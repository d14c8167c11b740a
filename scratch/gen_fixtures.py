import re, os
ROOT='/work/wt-pss'
for fn in sorted(os.listdir(f'{ROOT}/rules')):
    if not fn.startswith('pod-security-'): continue
    id = fn[:-3]
    page = open(f'{ROOT}/rules/{fn}').read()
    bad = page.split('## Bad\n```yaml\n')[1].split('```')[0]
    ns, pod = bad.split('---\n', 1)
    # the pod as a Deployment in an unlabelled namespace
    meta, spec = pod.split('spec:\n', 1)
    spec_ind = ''.join('    ' + l + '\n' if l else '\n' for l in spec.rstrip('\n').split('\n'))
    dep = f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: dev
spec:
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
{spec_ind}"""
    text = f"# Enforced in `prod` (error); in `dev`, which has no label, checked only because the\n# fixture selects the rule (warning at restricted:latest).\n{ns}---\n{pod}---\n{dep}"
    open(f'{ROOT}/fixtures/rules/{id}.yaml','w').write(text)
