"""The ways people say why a backlog item matters, as named groups of regex phrases.

Each phrase starts with a lower-case letter and is matched at a word start in lower-case
text (see `rules.judgment`). A phrase only proposes a reason; the sentence around it decides.
Groups are named so that the judgment benchmark can check that no single group carries the
result on one source only.
"""

from __future__ import annotations

# After "so that", "because"...: a real word, not "<benefit>", "[value]", "TBD" or "...".
_FILLED = r"(?:\s*,)?\s+(?!tbd\b|tbc\b|n/a\b|xxx\b|\.\.\.|…)(?=[^\W_])"
_WHO = (
    r"(?:users?|customers?|clients?|people|buyers?|shoppers?|merchants?|admins?|administrators?"
    r"|agents?|teams?|members|visitors|developers|engineers|operators|owners|support|sales"
    r"|everyone|we|they|i|you|one|someone|students?|teachers?|staff|researchers?)"
)
# Other people than the writer: "customers want ..." is demand, "I want ..." is the story.
_OTHERS = _WHO.replace("|we|they|i|you|one|someone", "")
_MODAL = r"(?:(?:will|would|should|could|can|may|might|also|really|is\s+going\s+to)\s+)*"
_THIS = r"(?:this|it|that|which|doing\s+so|the\s+change|these\s+changes|the\s+fix|such\s+a\s+\w+)"

CUE_GROUPS: dict[str, list[str]] = {
    # so that / so I can / in order to: a purpose, if it is not the want said again
    "so_that": [
        r"so\s+that" + _FILLED,
        r"so\s+(?:[a-z'-]+\s+){1,4}?(?:can|could|will|would|won'?t|don'?t|do\s+not|doesn'?t"
        r"|no\s+longer|are\s+able|is\s+able|get|gets|stop|stops|may|might|never|is\s+not|isn'?t"
        r"|aren'?t|has\s+to|have\s+to|must|needs?\s+to|becomes?|stays?|remains?|knows?"
        r"|(?:'m|am|'re|are)\s+not)\b" + _FILLED,
        r"in\s+order\s+(?:to|for|that)\b" + _FILLED,
        r"so\s+as\s+to\b" + _FILLED,
    ],
    # "... to reduce the disk footprint", "to defend against": a gain named after the work
    "purpose": [
        r"to\s+(?:(?:help|better|further|greatly|significantly|drastically|more\s+closely"
        r"|more\s+easily|dramatically)\s+)?(?:reduce|improve|increase|avoid|prevent|defend|protect"
        r"|speed\s+up|simplify|mirror|minimi[sz]e|maximi[sz]e|save|cut|lower|eliminate|streamline"
        r"|mitigate|solve|comply|unblock|encourage|attract|retain|optimi[sz]e|demonstrate|showcase"
        r"|de-?risk|relieve|offload|shave|trim|shorten|safeguard|take\s+(?:the\s+)?(?:load|pressure"
        r"|strain)\s+off|stop\s+(?:[\w'-]+\s+){1,2}?(?:from\s+)?[a-z]+ing"
        r"|keep\s+track|make\s+(?:it\s+easier|life)|allow\s+for\s+(?:stricter|better|faster"
        r"|easier|more))\b",
        r"for\s+(?:a\s+)?(?:better|positive|smoother|faster|easier|consistent)\s+"
        r"(?:user\s+)?(?:experience|performance|usability|security|reliability)",
        r"in\s+support\s+of\b",
        r"(?:to|and)\s+better\s+(?:understand|plan|predict|estimate|manage|track|serve|organi[sz]e"
        r"|handle|judge|decide)\b",
        r"to\s+support\s+(?:the|our|ongoing|their|future|upcoming)\s+\w+\s+(?:work|effort|project"
        r"|team|group|release|launch|migration|customers?|users?)\b",
    ],
    # "to ensure that ...", "to make sure ...": a purpose that may only say the want again
    "purpose_open": [
        r"to\s+(?:ensure|guarantee|facilitate|accommodate|make\s+sure|address|fix|resolve|meet"
        r"|satisfy|understand|be\s+sure)\b",
    ],
    # because / due to / since / thus: a stated cause or consequence
    "cause": [
        r"because\b(?:\s+of)?" + _FILLED,
        r"due\s+to" + _FILLED,
        r"as\s+a\s+result\s+of" + _FILLED,
        r"since,",
        r"since\s+(?:the|a|an|this|that|these|those|it|we|they|our|there|more|most|many|some"
        r"|no|not|people|users|customers|most|every|each|all|both|you|i|nobody|everyone|its|their)\b",
        r"(?:this|which|that|it)\s+(?:really\s+|also\s+)?matters\b",
        r"matters\s+(?:for|to|when|because|a\s+lot)\b",
        r"thus\b",
        r"therefore\b",
        r"hence\b",
        r"otherwise\b",
        r"given\s+(?:that|the\s+fact)\b",
        r"now\s+that\b",
        r"(?:this|which|that|it)\s+(?:means|meant)\b",
        r"so\s+it\s+(?:is|isn'?t|doesn'?t|won'?t|can)\b",
        r"leads?\s+to\b",
        r"leading\s+to\b",
        r"led\s+to\b",
        r"results?\s+in\b",
        r"resulting\s+in\b",
        r"caus(?:es?|ed|ing)\s+(?:a|an|the|lots?|many|problems?|issues?|errors?|confusion|delays?|one"
        r"|several|multiple|real|serious|outages?|incidents?)\b",
        r"without\s+(?:it|this|that|them),?\s+(?:we|users|you|they|customers|people|i)\s+(?:can'?t"
        r"|cannot|won'?t|couldn'?t|would|will|have\s+to|lose)\b",
        r"the\s+(?:goal|reason|motivation|benefit|purpose|rationale|aim|idea)"
        r"\s+(?:is|was|here\s+is|being)\b" + _FILLED,
        # "the issue is that ...", not "the issue is edited"
        r"the\s+(?:(?:main|real|big|only)\s+)?(?:problem|issue|trouble|catch)\s+(?:is|was|here\s+is)"
        r"\s*(?::|that|how|when|we|our|users|there|it|people|customers)\b",
        r"(?:goal|aim|purpose)\s+of\s+(?:this|the)\s+(?:[\w-]+\s+){1,3}?(?:is|was|will\s+be|being)\b",
        # ", as most sign-ups read ...": a cause; not ", as discussed" nor ", as the default"
        r"as(?<=,\sas)\s+(?:most|many|some|our|we|they|it|this|these|there|users|people|customers"
        r"|i|you|nobody|no\s+one|the\s+(?:[\w'-]+\s+){1,3}?(?:is|are|was|were|has|have|often|will|would|can|does"
        r"|do))\b(?!\s+(?:discussed|agreed|mentioned|described|shown|noted|said|planned|requested"
        r"|documented|expected|stands|is|was|were))",
        r"or\s+(?:else\s+)?(?:we|they|you|it|users|customers)(?:'ll|\s+will|\s+would)\b",
        r"(?:required|needed|necessary|essential|important|crucial|critical)\s+(?:for|to|by|when)\b",
        r"which\s+(?:we|they|users|you|i)\s+(?:really\s+|also\s+)?need\s+(?:for|when|in\s+order)\b",
        r"relies\s+on\b",
        r"rely\s+on\b",
        r"depends\s+on\b",
        r"blocks?\s+(?:us|the|our)\b",
        r"blocking\b",
        r"blocker\b",
        r"prerequisite\b",
    ],
    # a problem, cost or risk stated as such: "is far too slow", "makes debugging difficult"
    "problem": [
        r"struggl",
        r"complain",
        r"frustrat",
        r"annoy",
        r"confus(?:ed|ing|ion)\b",
        r"unable\s+to\b",
        r"pain\s*(?:points?|ful)\b",
        r"bottleneck",
        r"difficult",
        r"hard\s+to\b",
        r"harder\b",
        r"awful\b",
        r"terrible\b",
        r"horrible\b",
        r"ugly\b",
        r"messy\b",
        r"cumbersome\b",
        r"tedious\b",
        r"time[\s-]consuming\b",
        r"inconvenien",
        r"not\s+(?:very\s+)?(?:convenient|clear|intuitive|obvious|ideal|satisfactory|scalable"
        r"|user[\s-]friendly|practical|efficient|possible|trivial|sustainable)\b",
        r"(?:isn'?t|aren'?t|wasn'?t)\s+(?:very\s+)?(?:clear|obvious|intuitive|possible|ideal)\b",
        r"unclear\b",
        r"uncomfortable\b",
        r"counter[\s-]?intuitive\b",
        r"error[\s-]prone\b",
        r"unnecessar",
        r"unsatisfactory\b",
        r"inefficient\b",
        r"misleading\b",
        r"impossible\b",
        r"no\s+(?:[\w'-]+\s+){0,2}?way\s+to\b",
        r"(?:too|far\s+too|way\s+too)\s+(?:slow|high|long|low|big|large|small|many|much|bright"
        r"|dark|complex|complicated|hard|heavy|noisy|verbose|expensive|often|late|little|few)\b",
        r"(?:very|really|extremely|quite|painfully|incredibly|a\s+bit|a\s+little|rather|somewhat"
        r"|pretty|kind\s+of)\s+(?:too\s+)?(?:slow|bright|annoying|hard"
        r"|difficult|confusing|expensive|limited|noisy|verbose)\b",
        r"slow(?:s|ing)?\s+down\b",
        r"degrad",
        r"ruins?\b",
        r"hurts?\b",
        r"(?:will|would|can|could|might|may)\s+(?:break|fail|crash|hang|lose|corrupt|grow)\b",
        r"breaks?\s+(?:when|if|the|our|their|backwards?|compat|existing|other)\b",
        r"(?:is|are|gets?)\s+(?:broken|lost|stuck|wrong|incorrect|inaccurate)\b",
        r"(?:can'?t|cannot|can\s+not)\s+(?:be\s+used|be\s+done|tell|find|see|know|use|retry"
        r"|work|get|do|handle|rely)\b",
        r"(?:doesn'?t|does\s+not|don'?t|won'?t|will\s+not)\s+(?:work|scale|handle|support\s+it)\b",
        r"wast(?:e|es|ed|ing)\b",
        r"vulnerab",
        r"insecure\b",
        r"security\s+(?:risk|issue|hole|problem|concern|advisor|vulnerab|incident|flaw)",
        r"(?:legally|contractually)\s+(?:required|obliged|bound)\b",
        r"legal\s+(?:requirements?|obligations?)\b",
        r"(?:forbidden|prohibited|banned)\s+by\b",
        r"(?:a|the|big|real|major|serious)\s+risk\b",
        r"risky\b",
        r"(?:is|are|was|be|becomes?|causes?|creates?|major|real|big|main|known)\s+(?:an?\s+)?"
        r"(?:problems?|issues?)\b",
        r"problems?\s+(?:with|for|when|if|is|of|arise)\b",
        r"issues?\s+with\b",
        r"(?:have|has|had)\s+to\s+(?:manually|\w+\s+manually|search|download|reload|click|go"
        r"|wait|restart|copy|retype|re-?enter|remember|keep|open|scroll|maintain)\b",
        r"(?:must|need\s+to|needs\s+to)\s+(?:either\s+)?(?:[a-z1-9]\)\s+)?(?:manually|reload|restart|re-?enter"
        r"|retype|copy)\b",
        r"manually\b",
        r"by\s+hand\b",
        r"lacks?\s+(?:of\s+)?(?:a|an|the|any|proper|support|documentation)\b",
        r"lack\s+of\b",
        r"overhead\b",
        r"burden",
        r"stress\s+on\b",
        r"costly\b",
        r"costs?\s+(?:us|them|the|a\s+lot)\b",
        r"expensive\b",
        r"spam",
        r"bad\s+(?:practice|experience|idea|for)\b",
        r"poor(?:ly)?\s+\w+",
        r"limitation",
        r"regression\b",
        r"(?:times?|timed|timing)\s+out\b",
        r"(?:this|it|that|which|the\s+(?:app|application|browser|tab|page|server|process|editor|ui"
        r"|build|job|tool|site))\s+(?:\w+\s+)?(?:crash(?:es|ed)|freezes|froze|hangs|hung|stalls"
        r"|stalled)\b",
        r"(?:hangs?|hung|stalls?|stuck|waits?)\s+(?:forever|indefinitely)\b",
        r"takes?\s+(?:forever|ages|too\s+long|a\s+long\s+time)\b",
        r"(?:spends?|spent|spending)\s+(?:\w+\s+)?(?:ages|hours|days|weeks|forever|(?:a\s+lot\s+of"
        r"|too\s+much|so\s+much)"
        r"\s+time)\b",
        r"(?:loses?|losing|lost|drops|dropped|dropping)\s+(?:their\s+|our\s+|my\s+|all\s+|the\s+"
        r"|some\s+|any\s+)?(?:\w+\s+)?(?:work|data|events|messages|changes|progress|orders|emails"
        r"|jobs|visitors|customers|users|sales|revenue|money|traffic|place)\b",
        r"sluggish",
        r"(?:usually|often|always|sometimes|regularly|frequently|occasionally|randomly"
        r"|intermittently)\s+(?:fails?|breaks?|crash\w*|times?\s+out|hangs?|errors?\s+out)\b",
        r"(?:looks?|seems?|appears?)\s+(?:to\s+be\s+)?(?:frozen|stuck|broken|hung|dead)\b",
        r"(?:a|the|is|are|with|into)\s+broken\b",
        r"(?:is|are|gets?|get|were|was)\s+silently\b",
        r"silently\s+(?:ignored|dropped|fails?|discarded|lost|swallowed|overwritten|truncated)\b",
        r"(?:hits?|hitting|exceeds?|runs?\s+into)\s+(?:the\s+|a\s+)?(?:\w+\s+)?timeouts?\b",
        r"(?:give|gives|gave|giving)\s+up\b",
        r"run(?:s|ning)?\s+out\s+of\b",
        r"never\s+(?:finish|complete|return|come\s+back|convert|activate)\w*",
        r"nightmare",
        r"headache",
        r"trips?\s+(?:\w+\s+)?(?:over|up)\b",
        r"stumbl",
        r"near[\s-]miss",
        r"(?:bill|costs?|spend|spending)\s+(?:grew|has\s+grown|doubled|tripled|went\s+up|increased"
        r"|rose|is\s+growing|keeps?\s+growing)\b",
        r"laggy\b",
        r"clunky\b",
        r"flak(?:y|ey|iness)\b",
        r"fragile\b",
        r"brittle\b",
        r"un(?:usable|readable|reliable|maintainable|workable|responsive|sustainable)\b",
        r"hold(?:s|ing)?\s+(?:\w+\s+)?back\b",
        r"held\s+(?:\w+\s+)?back\b",
        r"breach",
        r"embarr?ass",
        r"by\s+(?:accident|mistake)\b",
        r"accidentally\b",
        r"inadvertently\b",
        r"mis(?:read|reads|click|clicks|understand|understood|interpret)\w*",
        r"(?:hardly|barely)\s+(?:anyone|anybody|ever)\b",
        r"(?:nobody|no\s+one)\s+(?:\w+\s+)?(?:uses?|used|needs?|reads?|looks?)\b",
        r"(?:brings?\s+up|throws?|gives?|produces?|raises?|causes?|shows)\s+(?:an?\s+)?(?:\w+\s+)?"
        r"(?:errors?|warnings?|exceptions?|crash(?:es)?)\b",
        r"(?:notice|see|have|hit|experience|face|encounter|run\s+into)\w*\s+(?:\w+\s+)?"
        r"(?:problems?|issues?|errors?|bugs?|crash(?:es)?|delays?)\b",
        r"(?:now|currently|still)\s+(?:tak(?:es|ing)|needs?|lasts?)\s+(?:about\s+|around\s+|over\s+"
        r"|more\s+than\s+|almost\s+|nearly\s+|up\s+to\s+)?\d",
        r"(?:it'?s|it\s+is)\s+(?:quite\s+|very\s+|entirely\s+|also\s+)?possible\s+that\b",
        r"passwords?\b(?:[^.\n]|\.(?=\w)){0,80}\bplain\s*-?text\b",
        # few use it: a reason to remove or replace it
        r"(?:not|never|hasn'?t|haven'?t|didn'?t)\s+(?:\w+\s+)?(?:gained|got|seen|had|found)\s+"
        r"(?:much|any|enough|wide)\s+(?:traction|adoption|uptake|usage|use|interest)\b",
        r"(?:little|low|limited)\s+(?:traction|adoption|uptake)\b",
        r"(?:is|are)\s+no\s+longer\s+(?:needed|used|necessary|relevant|specific|valid|accurate"
        r"|maintained|supported|required|true|correct|applicable)\b",
    ],
    # what the status quo does to people or systems, said without a reason word: a loss,
    # a wait, a conflict, an outage, a cost that lands somewhere ("the glare keeps waking
    # patients", "every push waits 40 minutes for CI")
    "consequence": [
        r"(?:lose|loses|losing)\s+\w+",
        r"(?:keeps|kept)\s+(?:on\s+)?(?!track\b)[a-z]+ing\b",
        r"(?:wait|waits|waiting|waited|sits?|sat|sitting|stays?\s+open|stayed\s+open|linger\w*"
        r"|languish\w*)\s+(?:\w+\s+)?(?:for\s+)?(?:~|about\s+|around\s+|over\s+|up\s+to\s+"
        r"|nearly\s+|almost\s+)?(?:\d+(?:\.\d+)?\s*(?:s|secs?|seconds?|mins?|minutes?|h|hours?"
        r"|days?|weeks?)|days|weeks|months|hours|ages)\b",
        r"(?:took|takes|taking|brings|brought|knocks|knocked)\s+(?:\w+\s+){0,3}?down\b",
        r"(?:fills?|filled|filling)\s+(?:up\s+)?(?:the\s+|our\s+|their\s+)?(?:\w+\s+)?"
        r"(?:disks?|drives?|volumes?|queues?|inbox(?:es)?|logs?)\b",
        r"(?:turns?|turned|ends?\s+up|ended\s+up)\s+(?:into|as)\s+(?:an?\s+)?(?:\w+\s+)?"
        r"(?:tickets?|complaints?|escalations?|incidents?|calls?|outages?)\b",
        r"(?:looks?|looking|appears?|comes?\s+out|renders?|rendered|prints?|printed)\s+(?:\w+\s+)?"
        r"(?:blurry|pixelated|garbled|distorted|misaligned|unreadable|truncated|cut\s+off)\b",
        r"(?:could|would|can|may|might)\s+(?:\w+\s+)?(?:leak|expose|steal|bypass|run\s+arbitrary"
        r"|compromise|take\s+over)\b",
        r"(?:fight|fights|fighting|fought|clash|clashes|collide|collides|clobber\w*)\s+"
        r"(?:over|with|on|each)\b",
        r"overwrite\s+each\s+other",
        r"(?:deadlines?|fixes|releases?|dates?|schedules?|sprints?|launch(?:es)?)\s+(?:\w+\s+)?"
        r"slip(?:s|ped|ping)?\b",
        r"(?:doesn'?t|does\s+not|don'?t|do\s+not|never|no\s+longer)\s+(?:\w+\s+)?(?:appears?"
        r"|shows?\s+up|loads?|renders?|arrives?|fires?|syncs?|get\s+(?:seen|noticed|delivered))\b",
        r"abandon(?<!to\sabandon)(?:s|ed|ing)?\b(?!\s+(?:carts?|checkouts?|baskets?))",
        r"(?:reviews?|ratings?|feedback|surveys?|nps\s+comments?)\s+(?:\w+\s+){0,3}?(?:mention"
        r"|complain|cite|call\s+out)\w*",
        r"flood(?:s|ed|ing)?\s+(?:the|our|their|us|them|people|users|with)\b",
        r"bounc(?:e|es|ed|ing)\s+(?:on|back|off|after|the\s+first)\b",
        r"(?:main|biggest|top|number\s+one|primary|single\s+biggest)\s+(?:reason|cause"
        r"|driver|source)\b",
        r"(?:goes|went|go)\s+(?:stale|missing|unnoticed|unanswered|unread)\b",
        r"(?:only|never)\s+(?:gets?\s+)?(?:seen|noticed|found|caught|discovered)\s+(?:after|when"
        r"|once|by)\b",
    ],
    # a benefit or an evaluation: "handy for reviewers", "will help the on-call engineer"
    # "useful for managers planning a quarter": an evaluation, if it says for whom or what
    "evaluation": [
        # "would be nice to support YAML" is a wish, "helpful to know the sizes" a benefit
        r"(?:useful|helpful|beneficial|valuable|handy|great|nice|good|better|easier|simpler"
        r"|safer|cleaner|clearer)\s+(?:for|(?<!be\snice\s)(?<!be\sgood\s)(?<!be\sgreat\s)to|when|in"
        r"|if|because|as|since|while)\s+"
        r"(?!have\b|get\b|add\b|see\b|expose\b|be\s+able\s+to\s+(?:have|get|add|see)\b"
        r"|this\b|it\b|that\b|the\s+(?:pg|feature|endpoint|option)\b)\w",
    ],
    "benefit": [
        r"benefits?\s+(?:from|of|for|to|the|our|users)\b",
        r"advantages?\b",
        r"(?:would|could|might)\s+(?:\w+\s+)?(?:shrink|halve|speed\s+up|reduce|cut|lower|improve|save"
        r"|free\s+up|simplify)\b",
        r"(?:make|makes|making)\s+(?:[\w'-]+\s+){1,3}?(?:noticeably\s+|much\s+|a\s+lot\s+|far\s+)?"
        r"(?:faster|snappier|quicker|easier|simpler|safer|cheaper|clearer|more\s+reliable)\b",
        r"(?:would|will|could|might)\s+(?:be\s+)?(?:more\s+\w+|less\s+\w+|much\s+(?:better"
        r"|easier|faster|simpler|safer)|a\s+(?:big|huge|major|significant)\s+\w+)\b",
        rf"helps?\s+(?:{_WHO}|us|the\s+team|them|qa|to)\s+\w",
        r"(?:makes?|making)\s+(?:it\s+|\w+ing\s+(?:(?:with|by|on|in)\s+)?\w+\s+)?(?:so\s+|much\s+|very\s+)?"
        r"(?:easy|easier|faster|simpler|safer|possible|clearer)\b",
        r"easier\s+(?:to|for)\b",
        r"(?:more|less)\s+(?:scalable|efficient|readable|robust|secure|reliable|maintainable"
        r"|consistent|convenient|intuitive|flexible|performant|accessible|stable|error[\s-]prone"
        r"|engaging|pleasant|usable)\b",
        r"(?:a\s+)?(?:better|nicer|smoother|faster|cleaner)\s+(?:way|experience|performance"
        r"|overview|understanding|user\s+experience|ux)\b",
        r"improv(?:e|es|ed|ing|ement|ements)\s+(?:the\s+)?(?:performance|usability|reliability"
        r"|security|speed|experience|readability|quality|stability|maintainability)\b",
        r"in\s+demand\b",
        r"(?:popular|frequent|common|recurring)\s+(?:request|ask|complaint|question)\b",
        r"(?:biggest|largest|top|most\s+common|number\s+one)\s+(?:\w+\s+)?(?:complaints?"
        r"|pain\s*points?|ticket\s+(?:category|driver)|sources?\s+of|causes?\s+of|reasons?\s+for)\b",
        rf"{_OTHERS}\s+(?:often\s+|frequently\s+|regularly\s+|keep\s+|have\s+|)"
        r"(?:asked?|requested|asking|request|want(?:ed)?|need(?:ed)?|rely|lose|losing|miss"
        r"|reports?|reported|notice|complain\w*"
        r"|abandon|churn|drop\s+off|give\s+up|end\s+up|run\s+into|hit|open\s+(?:issues|tickets)"
        r"|file\s+(?:issues|tickets|bugs)|contact\s+support)\b",
        r"(?:i|we)\s+(?:really\s+)?needed\b",
        r"(?:i|we)\s*(?:'m|'re|\s+am|\s+are|\s+was|\s+were)\s+(?:currently\s+)?(?:teaching"
        r"|building|developing|planning|trying|running|maintaining|working\s+on|using\s+\w+\s+to)\b",
        r"(?:is|are)\s+planning\s+(?:on|to)\b",
        r"for\s+a\s+(?:recent|current|new|upcoming)\s+project\b",
        r"(?:we|they|i|marketing|sales|finance|support|product|leadership|management|the\s+business"
        r"|the\s+company|the\s+team)\s+(?:want|wants|need|needs|aim|aims|hope|hopes|would\s+like"
        r"|are\s+trying|is\s+trying|plan|plans)\s+to"
        r"\s+(?:reduce|increase|improve|boost|lower|cut|prevent|avoid|speed\s+up|save|grow|raise"
        r"|minimi[sz]e|maximi[sz]e|eliminate|drive|retain|attract|convert|comply|meet|unblock"
        r"|simplify|streamline)\b",
        r"(?:coding|code|style)\s+(?:standards?|guidelines?|conventions?)\b",
        r"best\s+practices?\b",
        r"consistent\s+with\b",
        r"consistency\s+with\b",
        r"according\s+to\s+(?:our|the)\s+(?:standard|policy|guidelines?|conventions?)\b",
        r"compliance\b",
        r"(?:tickets?|complaints?|requests?|questions?)\s+(?:a|per|each|every)\s+(?:day|week|month)",
    ],
    # "which lets admins ...": an ability, if it is not the feature itself
    "enables": [
        rf"{_THIS}\s+{_MODAL}(?:lets?|allows?|allowed|enables?|enabled|helps?|helped)\b",
    ],
    # "this will reduce ...", "it avoids a long search": a cost removed or a gain made
    "gains": [
        rf"{_THIS}\s+{_MODAL}(?:saves?|reduces?|increases?|improves?|prevents?|unblocks?"
        r"|removes?\s+the\s+need|cuts?|lowers?|speeds?\s+up|avoids?|eliminates?|frees?\s+up"
        r"|boosts?|raises?|simplif(?:y|ies)|protects?|makes?\s+(?:it|things|life|debugging"
        r"|testing|\w+ing)\s+(?:easier|faster|possible|simpler|safer|much|more|less|clearer))\b",
    ],
    # currently people have to ... / today it takes ...: the cost of the status quo
    "status_quo": [
        r"(?:currently|today|right\s+now|at\s+the\s+moment|at\s+present|presently|as\s+of\s+now)"
        r"\b[^.\n]{0,60}?\b(?:have\s+to|has\s+to|must|can'?t|cannot|unable|manual(?:ly)?|takes?\s"
        r"|impossible|no\s+way|not\s+(?:possible|clear|obvious|easy)|there\s+is\s+no)",
        r"instead,?\s+(?:users?|we|you|people|customers)\s+(?:have|has|must|need)\s+to\b",
        r"requires?\s+(?:us|users|the\s+user|you|people|them)\s+to\b",
        r"there\s+(?:is|are)\s+(?:no|known)\s+(?:way|issues?|problems?|bugs?|good|easy|option)\b",
    ],
}

# Groups whose cue introduces a purpose that may only restate the want.
RESTATING_GROUPS = frozenset({"so_that", "purpose_open", "enables"})
