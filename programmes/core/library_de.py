"""The exercise library's and the programme templates' patient text in German (pure data, no
Django).

Written for this library from its English text (`programmes.core.library`), at a patient's
reading level: short sentences, everyday words, the formal "Sie". It says what the English says
and no more: the dose, the sources and the clinical reasoning are the English entry's
(`library.SOURCES`), and a clinic edits either language in the admin. The seeding migration
keeps its own snapshot of this text (programmes/migrations/0008_seed_exercise_german.json).

The templates' German (`TEMPLATES_GERMAN`: each template's name and summary, and each phase's
name and goal, in the template's phase order) is written the same way from `library.TEMPLATES`;
its migration's snapshot is programmes/migrations/0010_seed_template_german.json.
"""

from __future__ import annotations

from dataclasses import dataclass

# What stops every exercise that loads the arm or the neck, in the same words each time.
_ARM = (
    "Hören Sie auf und melden Sie sich bei der Praxis, wenn Schmerzen in einen Arm ausstrahlen "
    "oder wenn Sie Kribbeln, Taubheit oder Schwäche in einem Arm oder einer Hand spüren."
)
_DIZZY_NECK = (
    "Hören Sie sofort auf und melden Sie sich bei der Praxis, wenn Ihnen schwindelig wird oder "
    "Sie sich einer Ohnmacht nahe fühlen, wenn Sie verschwommen oder doppelt sehen, wenn Ihnen "
    "Sprechen oder Schlucken schwerfällt oder wenn sich Ihr Gesicht taub anfühlt. Hören Sie auf "
    "und melden Sie sich bei der Praxis, wenn Schmerzen in einen Arm ausstrahlen oder wenn Sie "
    "Kribbeln oder Taubheit in einem Arm oder einer Hand spüren."
)
_WORSE_FORM = "Nehmen Sie weniger Gewicht, sobald die Bewegung nicht mehr sauber ist."


@dataclass(frozen=True, slots=True)
class GermanText:
    name: str
    equipment: str
    setup: str
    movement: str
    good_form: str
    stop_if: str
    progression: str


GERMAN: dict[str, GermanText] = {
    "kettlebell-one-arm-row": GermanText(
        name="Einarmiges Kettlebell-Rudern",
        equipment="Kettlebell und ein stabiler Stuhl",
        setup=(
            "Stellen Sie sich seitlich neben einen stabilen Stuhl. Legen Sie die linke Hand auf "
            "die Sitzfläche. Stellen Sie den rechten Fuß einen Schritt zurück. Beugen Sie sich in "
            "der Hüfte nach vorn, sodass Ihr Rücken gerade und lang ist. Halten Sie die "
            "Kettlebell in der rechten Hand. Der Arm hängt gerade nach unten."
        ),
        movement=(
            "Ziehen Sie die Kettlebell zur Hüfte hoch. Führen Sie die Bewegung mit dem Ellbogen "
            "und halten Sie ihn nah am Körper. Ziehen Sie oben das Schulterblatt nach hinten. "
            "Senken Sie die Kettlebell langsam ab, bis der Arm gerade ist. Machen Sie alle "
            "Wiederholungen, dann wechseln Sie die Seite."
        ),
        good_form=(
            "Ihr Rücken bleibt gerade wie eine Tischplatte. Die Schultern bleiben auf einer Höhe "
            "und die Brust zeigt zum Boden. Sie spüren die Arbeit zwischen Schulterblatt und "
            "Wirbelsäule, nicht im Nacken."
        ),
        stop_if=(
            "Nehmen Sie weniger Gewicht, wenn die Bewegung nicht mehr sauber ist oder Sie den "
            "Körper mitdrehen, um das Gewicht zu heben. Hören Sie auf, wenn Schmerzen im Rücken "
            "oder Nacken während eines Satzes stärker werden. " + _ARM
        ),
        progression=(
            "Fangen Sie leicht an: Die meisten beginnen mit 4 bis 8 kg. Steigern Sie zuerst die "
            "Wiederholungen, bis zu 12 pro Seite. Wenn sich jeder Satz sicher anfühlt, nehmen Sie "
            "die nächste Kettlebell-Größe (2 kg mehr) und beginnen wieder mit 8 Wiederholungen. "
            + _WORSE_FORM
        ),
    ),
    "kettlebell-reverse-fly": GermanText(
        name="Vorgebeugtes Seitheben mit der Kettlebell",
        equipment="Kettlebell und ein stabiler Stuhl",
        setup=(
            "Stellen Sie sich seitlich neben einen stabilen Stuhl und stützen Sie eine Hand auf "
            "die Sitzfläche. Beugen Sie sich in der Hüfte nach vorn, bis Ihre Brust zum Boden "
            "zeigt. Halten Sie den Rücken gerade. Nehmen Sie eine leichte Kettlebell in die "
            "freie Hand. Der Arm hängt nach unten, der Ellbogen ist leicht gebeugt."
        ),
        movement=(
            "Heben Sie die Kettlebell in einem weiten Bogen zur Seite, bis der Arm auf einer Höhe "
            "mit Ihrem Körper ist. Der Ellbogen bleibt leicht gebeugt. Halten Sie kurz, dann "
            "senken Sie die Kettlebell langsam ab. Machen Sie alle Wiederholungen, dann wechseln "
            "Sie die Seite."
        ),
        good_form=(
            "Die Bewegung kommt vom Schulterblatt, das nach hinten gleitet, nicht von Schwung. "
            "Der Ellbogen bleibt leicht gebeugt. Der Nacken bleibt lang und Ihr Blick geht zum "
            "Boden."
        ),
        stop_if=(
            "Nehmen Sie weniger Gewicht, wenn die Bewegung nicht mehr sauber ist, Sie mit "
            "Schwung arbeiten oder den Körper zum Heben mitdrehen. Hören Sie auf, wenn Sie vorn "
            "in der Schulter ein Stechen spüren. " + _ARM
        ),
        progression=(
            "Das sind kleine Muskeln, fangen Sie also sehr leicht an: 4 kg reichen den meisten. "
            "Steigern Sie sich auf 15 langsame Wiederholungen pro Seite, bevor Sie die nächste "
            "Kettlebell-Größe (2 kg mehr) nehmen. " + _WORSE_FORM
        ),
    ),
    "kettlebell-single-arm-deadlift": GermanText(
        name="Einarmiges Kreuzheben mit der Kettlebell",
        equipment="Kettlebell",
        setup=(
            "Stellen Sie sich hin, die Füße hüftbreit auseinander. Stellen Sie die Kettlebell "
            "direkt neben Ihren rechten Fuß auf den Boden. Stehen Sie aufrecht und spannen Sie "
            "den Bauch an, als ob Sie gleich husten würden."
        ),
        movement=(
            "Schieben Sie die Hüfte nach hinten und beugen Sie die Knie, um nach unten zu "
            "greifen. Fassen Sie den Griff mit der rechten Hand. Halten Sie den Rücken gerade. "
            "Drücken Sie sich über die Füße nach oben, bis Sie aufrecht stehen. Die Kettlebell "
            "hängt an Ihrer Seite. Schieben Sie die Hüfte wieder nach hinten und setzen Sie die "
            "Kettlebell kontrolliert ab. Machen Sie alle Wiederholungen, dann wechseln Sie die "
            "Seite."
        ),
        good_form=(
            "Ihr Rücken bleibt vom Kopf bis zur Hüfte gerade. Die Schultern bleiben auf einer "
            "Höhe und kippen nicht zur Kettlebell. Hüfte und Beine machen die Arbeit. Oben "
            "stehen Sie aufrecht, ohne sich nach hinten zu lehnen."
        ),
        stop_if=(
            "Nehmen Sie weniger Gewicht, wenn Ihr Rücken rund wird, die Bewegung nicht mehr "
            "sauber ist oder Sie sich zur Kettlebell neigen oder drehen. Hören Sie auf, wenn Sie "
            "einen stechenden Schmerz im Rücken spüren. Hören Sie auf und melden Sie sich bei der "
            "Praxis, wenn Schmerzen in einen Arm oder ein Bein ausstrahlen oder wenn Sie Kribbeln "
            "oder Taubheit spüren."
        ),
        progression=(
            "Fangen Sie leicht an: 8 bis 12 kg passen für die meisten Anfänger. Steigern Sie "
            "zuerst die Wiederholungen, bis zu 12 pro Seite. Dann nehmen Sie die nächste "
            "Kettlebell-Größe (2 kg mehr) und beginnen wieder mit 8 Wiederholungen. Wenn Ihr "
            "Rücken unten nicht gerade bleibt, nehmen Sie weniger Gewicht oder stellen Sie die "
            "Kettlebell auf eine niedrige Stufe."
        ),
    ),
    "turkish-get-up": GermanText(
        name="Türkisches Aufstehen (Turkish Get-up)",
        equipment="Kettlebell",
        setup=(
            "Legen Sie sich auf den Rücken. Halten Sie die Kettlebell in der rechten Hand, den "
            "Arm gerade nach oben über der Brust. Stellen Sie das rechte Bein auf, der Fuß steht "
            "flach auf dem Boden. Legen Sie den linken Arm schräg zur Seite auf den Boden."
        ),
        movement=(
            "Schauen Sie immer auf die Kettlebell und halten Sie den rechten Arm gerade. Rollen "
            "Sie sich auf den linken Ellbogen hoch, dann drücken Sie sich auf die linke Hand. "
            "Heben Sie die Hüfte an. Ziehen Sie das linke Bein nach hinten unter sich, bis Sie "
            "knien. Stehen Sie auf. Dann gehen Sie jeden Schritt langsam rückwärts, bis Sie "
            "wieder liegen. Machen Sie alle Wiederholungen, dann wechseln Sie die Seite."
        ),
        good_form=(
            "Ihr Arm bleibt die ganze Zeit gerade und fest über der Schulter. Das Handgelenk "
            "bleibt gerade. Die Schulter bleibt unten, weg vom Ohr. Jeder Schritt ist langsam und "
            "ruhig, sodass Sie jederzeit anhalten könnten."
        ),
        stop_if=(
            "Nehmen Sie weniger Gewicht, wenn Ihr Arm wackelt oder einknickt, die Bewegung nicht "
            "mehr sauber ist oder Sie den Körper verdrehen, um die Kettlebell oben zu halten. "
            "Bringen Sie die Kettlebell kontrolliert nach unten: Lassen Sie sie nie fallen. Hören "
            "Sie auf und melden Sie sich bei der Praxis, wenn Ihnen schwindelig wird, Schmerzen "
            "in einen Arm ausstrahlen oder Sie Kribbeln in der Hand spüren."
        ),
        progression=(
            "Lernen Sie die Schritte zuerst ohne Gewicht oder mit einem Schuh, den Sie auf der "
            "Faust balancieren. Dann beginnen Sie mit einer leichten Kettlebell, 4 bis 8 kg. "
            "Machen Sie erst eine Wiederholung pro Seite mehr, bevor Sie mehr Gewicht nehmen. "
            "Nehmen Sie die nächste Kettlebell-Größe (2 kg mehr) erst, wenn sich jeder Schritt "
            "ruhig anfühlt. " + _WORSE_FORM
        ),
    ),
    "kettlebell-swing": GermanText(
        name="Kettlebell-Schwung mit beiden Händen",
        equipment="Kettlebell",
        setup=(
            "Stellen Sie sich hin, die Füße etwas weiter als hüftbreit. Stellen Sie die "
            "Kettlebell etwa 30 cm vor sich auf den Boden. Schieben Sie die Hüfte nach hinten, "
            "halten Sie den Rücken gerade und fassen Sie den Griff mit beiden Händen."
        ),
        movement=(
            "Schwingen Sie die Kettlebell nach hinten zwischen Ihre Beine. Dann schieben Sie die "
            "Hüfte kräftig nach vorn und richten sich auf. Durch den Schwung aus der Hüfte steigt "
            "die Kettlebell bis auf Brusthöhe. Lassen Sie sie wieder zwischen die Beine "
            "zurückschwingen, während Sie die Hüfte nach hinten schieben. Nach der letzten "
            "Wiederholung lassen Sie sie noch einmal zurückschwingen und stellen sie vor sich ab."
        ),
        good_form=(
            "Ihre Arme sind wie Seile: Die Kraft kommt aus der Hüfte, nicht aus den Schultern. "
            "Oben stehen Sie aufrecht, Po und Bauch sind fest, und Sie lehnen sich nicht nach "
            "hinten. Unten ist Ihr Rücken gerade und die Kettlebell schwingt hoch zwischen den "
            "Oberschenkeln durch. Oben atmen Sie kräftig aus."
        ),
        stop_if=(
            "Nehmen Sie weniger Gewicht oder beenden Sie den Satz, wenn die Bewegung nicht mehr "
            "sauber ist, Ihr Rücken rund wird, Sie mit den Armen heben oder den Körper drehen. "
            "Hören Sie auf, wenn Sie einen stechenden Schmerz im Rücken spüren. Hören Sie auf und "
            "melden Sie sich bei der Praxis, wenn Ihnen schwindelig wird, Schmerzen in einen Arm "
            "oder ein Bein ausstrahlen oder Sie Kribbeln spüren."
        ),
        progression=(
            "Lassen Sie sich den Schwung von Ihrer Therapeutin, Ihrem Therapeuten oder einem "
            "Trainer zeigen, bevor Sie ihn zu Hause machen. Fangen Sie leicht an: 8 bis 12 kg "
            "passen für die meisten Anfänger. Steigern Sie sich auf 15 saubere Wiederholungen "
            "pro Satz. Dann nehmen Sie die nächste Kettlebell-Größe (2 kg mehr) und beginnen "
            "wieder mit 10 Wiederholungen. Nehmen Sie weniger Gewicht, sobald die Bewegung nicht "
            "mehr sauber ist oder Sie müde werden."
        ),
    ),
    "kettlebell-overhead-press": GermanText(
        name="Einarmiges Drücken über Kopf mit der Kettlebell",
        equipment="Kettlebell",
        setup=(
            "Stehen Sie aufrecht, die Füße hüftbreit auseinander. Halten Sie die Kettlebell in "
            "der rechten Hand auf Schulterhöhe. Sie liegt auf der Rückseite Ihres Unterarms. "
            "Halten Sie das Handgelenk gerade und den Ellbogen vor den Rippen. Spannen Sie Po und "
            "Bauch an."
        ),
        movement=(
            "Drücken Sie die Kettlebell gerade nach oben, bis der Arm gestreckt ist und der "
            "Oberarm neben dem Ohr ist. Halten Sie kurz. Senken Sie sie langsam zurück zur "
            "Schulter. Machen Sie alle Wiederholungen, dann wechseln Sie die Seite."
        ),
        good_form=(
            "Die Rippen bleiben unten und Sie lehnen sich nicht nach hinten oder zur Seite. Das "
            "Handgelenk bleibt gerade. Oben ist der Arm gestreckt und das Schulterblatt dreht "
            "mit nach oben, ohne dass die Schulter zum Ohr hochzieht."
        ),
        stop_if=(
            "Nehmen Sie weniger Gewicht, wenn die Bewegung nicht mehr sauber ist, Sie sich nach "
            "hinten lehnen oder den Körper drehen oder zur Seite beugen, um die Kettlebell "
            "hochzudrücken. Hören Sie auf, wenn Sie ein Stechen oder einen scharfen Schmerz in "
            "der Schulter spüren. Hören Sie auf und melden Sie sich bei der Praxis, wenn Ihnen "
            "schwindelig wird, Schmerzen in den Arm ausstrahlen oder Sie Kribbeln in der Hand "
            "spüren."
        ),
        progression=(
            "Fangen Sie leicht an: 4 bis 8 kg passen für die meisten Anfänger. Steigern Sie "
            "zuerst die Wiederholungen, bis zu 12 pro Seite. Dann nehmen Sie die nächste "
            "Kettlebell-Größe (2 kg mehr) und beginnen wieder mit 8 Wiederholungen. " + _WORSE_FORM
        ),
    ),
    "kettlebell-halo": GermanText(
        name="Kettlebell-Kreisen um den Kopf (Halo)",
        equipment="Kettlebell",
        setup=(
            "Stehen oder sitzen Sie aufrecht. Halten Sie die Kettlebell umgedreht an den Seiten "
            "des Griffs vor der Brust. Die Kugel zeigt nach oben."
        ),
        movement=(
            "Führen Sie die Kettlebell langsam im Kreis um Ihren Kopf: an einem Ohr vorbei, "
            "hinter den Kopf, am anderen Ohr vorbei und zurück vor die Brust. Machen Sie alle "
            "Wiederholungen in eine Richtung, dann kreisen Sie in die andere Richtung."
        ),
        good_form=(
            "Ihr Kopf bleibt ruhig und gerade: Die Kettlebell bewegt sich um den Kopf, nicht der "
            "Kopf um die Kettlebell. Halten Sie die Kettlebell nah am Kopf. Die Rippen bleiben "
            "unten und Sie machen kein Hohlkreuz."
        ),
        stop_if=(
            "Nehmen Sie weniger Gewicht, wenn die Bewegung nicht mehr sauber ist, Sie ein "
            "Hohlkreuz machen oder Kopf oder Körper ausweichen oder sich drehen, um die "
            "Kettlebell vorbeizulassen. Hören Sie auf, wenn Sie ein Stechen in der Schulter "
            "spüren. Hören Sie auf und melden Sie sich bei der Praxis, wenn Ihnen schwindelig "
            "wird, Schmerzen in einen Arm ausstrahlen oder Sie Kribbeln spüren."
        ),
        progression=(
            "Fangen Sie sehr leicht an: 4 kg reichen den meisten. Steigern Sie zuerst die "
            "Wiederholungen, bis zu 10 in jede Richtung. Nehmen Sie die nächste Kettlebell-Größe "
            "(2 kg mehr) erst, wenn die Kreise ruhig und gleichmäßig sind. " + _WORSE_FORM
        ),
    ),
    "kettlebell-goblet-squat": GermanText(
        name="Kniebeuge mit der Kettlebell vor der Brust (Goblet Squat)",
        equipment="Kettlebell",
        setup=(
            "Stellen Sie sich hin, die Füße etwas weiter als hüftbreit, die Zehen leicht nach "
            "außen. Halten Sie die Kettlebell an den Seiten des Griffs nah vor der Brust. Die "
            "Ellbogen zeigen nach unten."
        ),
        movement=(
            "Setzen Sie sich zwischen Ihre Fersen nach unten, so tief es angenehm ist. Halten Sie "
            "die Brust aufrecht. Drücken Sie sich über den ganzen Fuß wieder nach oben, bis Sie "
            "aufrecht stehen."
        ),
        good_form=(
            "Die Brust bleibt aufrecht und der Rücken lang. Die Knie zeigen in die Richtung der "
            "Zehen. Die Fersen bleiben am Boden. Die Kettlebell bleibt nah am Körper."
        ),
        stop_if=(
            "Nehmen Sie weniger Gewicht, wenn die Bewegung nicht mehr sauber ist, Ihr Rücken "
            "rund wird, die Fersen abheben oder Sie sich drehen oder zur Seite verschieben. Hören "
            "Sie auf, wenn Sie einen stechenden Schmerz in Knien oder Rücken spüren. Hören Sie "
            "auf und melden Sie sich bei der Praxis, wenn Schmerzen in ein Bein ausstrahlen oder "
            "Sie Kribbeln spüren."
        ),
        progression=(
            "Fangen Sie leicht an: 6 bis 12 kg passen für die meisten Anfänger. Steigern Sie "
            "zuerst die Wiederholungen, bis zu 15. Dann nehmen Sie die nächste Kettlebell-Größe "
            "(2 kg mehr) und beginnen wieder mit 10 Wiederholungen. " + _WORSE_FORM
        ),
    ),
    "kettlebell-suitcase-carry": GermanText(
        name="Einseitiges Tragen (Koffer-Tragen)",
        equipment="Kettlebell",
        setup=(
            "Stehen Sie aufrecht, die Kettlebell steht neben Ihrem rechten Fuß. Beugen Sie die "
            "Knie und schieben Sie die Hüfte nach hinten, um sie aufzuheben. Halten Sie dabei den "
            "Rücken gerade. Richten Sie sich auf."
        ),
        movement=(
            "Gehen Sie langsam und gleichmäßig für die angegebene Zeit. Die Kettlebell hängt an "
            "Ihrer Seite. Drehen Sie sich vorsichtig um, wenn nötig. Stellen Sie die Kettlebell "
            "so ab, wie Sie sie aufgehoben haben. Ruhen Sie kurz, dann tragen Sie sie in der "
            "anderen Hand."
        ),
        good_form=(
            "Sie stehen aufrecht, als ob ein Faden Ihren Kopf nach oben zieht. Die Schultern "
            "bleiben auf einer Höhe: Sie lehnen sich nicht von der Kettlebell weg und lassen "
            "sich nicht zur Seite ziehen. Die Schulter bleibt unten, weg vom Ohr. Ihre Schritte "
            "sind gleichmäßig."
        ),
        stop_if=(
            "Nehmen Sie weniger Gewicht, wenn die Bewegung nicht mehr sauber ist oder Sie sich "
            "wegen des Gewichts neigen oder drehen. Wenn Ihr Griff nachlässt, stellen Sie die "
            "Kettlebell sicher ab. " + _ARM
        ),
        progression=(
            "Fangen Sie leicht an: 8 bis 12 kg passen für die meisten Anfänger. Gehen Sie zuerst "
            "länger, bis zu 45 Sekunden pro Seite. Dann nehmen Sie die nächste Kettlebell-Größe "
            "(2 kg mehr) und beginnen wieder mit 30 Sekunden. " + _WORSE_FORM
        ),
    ),
    "kettlebell-farmers-carry": GermanText(
        name="Beidseitiges Tragen (Farmer's Walk)",
        equipment="Zwei gleich schwere Kettlebells",
        setup=(
            "Stellen Sie sich zwischen zwei gleich schwere Kettlebells. Das Gewicht in Ihrem "
            "Programm gilt für jede einzelne. Beugen Sie die Knie und schieben Sie die Hüfte nach "
            "hinten, um sie aufzuheben. Halten Sie dabei den Rücken gerade. Richten Sie sich auf."
        ),
        movement=(
            "Gehen Sie langsam und gleichmäßig für die angegebene Zeit, mit einer Kettlebell auf "
            "jeder Seite. Drehen Sie sich vorsichtig um, wenn nötig. Stellen Sie die Kettlebells "
            "so ab, wie Sie sie aufgehoben haben."
        ),
        good_form=(
            "Sie stehen aufrecht, die Brust ist offen, die Schultern sind unten und hinten. Die "
            "Arme hängen gerade. Der Kopf bleibt gerade und Ihre Schritte sind gleichmäßig."
        ),
        stop_if=(
            "Nehmen Sie weniger Gewicht, wenn die Bewegung nicht mehr sauber ist, Sie die "
            "Schultern hochziehen oder sich neigen oder drehen. Wenn Ihr Griff nachlässt, "
            "stellen Sie die Kettlebells sicher ab. " + _ARM
        ),
        progression=(
            "Fangen Sie leicht an: 8 bis 12 kg in jeder Hand passen für die meisten Anfänger. "
            "Gehen Sie zuerst länger, bis zu 45 Sekunden. Dann nehmen Sie in jeder Hand die "
            "nächste Kettlebell-Größe (2 kg mehr) und beginnen wieder mit 30 Sekunden. "
            + _WORSE_FORM
        ),
    ),
    "kettlebell-shrug": GermanText(
        name="Schulterheben mit der Kettlebell",
        equipment="Kettlebell",
        setup=(
            "Stehen Sie aufrecht, die Füße hüftbreit auseinander. Halten Sie die Kettlebell in "
            "der rechten Hand. Der Arm hängt gerade neben dem Körper."
        ),
        movement=(
            "Ziehen Sie die rechte Schulter gerade nach oben zum Ohr. Halten Sie oben eine "
            "Sekunde. Senken Sie die Schulter langsam ganz ab. Machen Sie alle Wiederholungen, "
            "dann wechseln Sie die Seite."
        ),
        good_form=(
            "Der Arm bleibt gerade und locker: Er hängt nur an der Schulter. Der Kopf bleibt "
            "ruhig und gerade. Sie bewegen sich gerade auf und ab, ohne die Schulter zu kreisen."
        ),
        stop_if=(
            "Nehmen Sie weniger Gewicht, wenn die Bewegung nicht mehr sauber ist, Ihr Kopf nach "
            "vorn rutscht oder Sie sich von der Kettlebell wegneigen oder drehen. Hören Sie auf, "
            "wenn während des Satzes Kopfschmerzen entstehen. " + _ARM
        ),
        progression=(
            "Fangen Sie leicht an: 8 bis 12 kg passen für die meisten Anfänger. Steigern Sie "
            "zuerst die Wiederholungen, bis zu 15 pro Seite. Dann nehmen Sie die nächste "
            "Kettlebell-Größe (2 kg mehr) und beginnen wieder mit 10 Wiederholungen. " + _WORSE_FORM
        ),
    ),
    "band-row": GermanText(
        name="Rudern mit dem Band im Stehen",
        equipment="Widerstandsband",
        setup=(
            "Legen Sie ein Widerstandsband auf Brusthöhe um etwas Stabiles, zum Beispiel ein "
            "Treppengeländer oder einen Türanker. Halten Sie in jeder Hand ein Ende. Gehen Sie "
            "zurück, bis das Band leicht gespannt ist. Stehen Sie aufrecht, die Arme gerade nach "
            "vorn."
        ),
        movement=(
            "Ziehen Sie die Ellbogen nach hinten, an den Rippen vorbei. Ziehen Sie die "
            "Schulterblätter nach hinten und unten. Halten Sie kurz, dann strecken Sie die Arme "
            "langsam wieder."
        ),
        good_form=(
            "Sie bleiben aufrecht und ruhig: Sie lehnen sich nicht nach hinten, um mitzuhelfen. "
            "Die Ellbogen bleiben nah am Körper. Nacken und Schultern bleiben locker, weg von den "
            "Ohren."
        ),
        stop_if=(
            "Nehmen Sie ein leichteres Band, wenn Sie sich nach hinten lehnen oder die Schultern "
            "hochziehen. " + _ARM
        ),
        progression=(
            "Beginnen Sie mit einem leichten Band. Steigern Sie sich auf 15 langsame "
            "Wiederholungen. Dann gehen Sie weiter zurück oder nehmen ein stärkeres Band und "
            "beginnen wieder mit 10 Wiederholungen."
        ),
    ),
    "band-pull-apart": GermanText(
        name="Band auseinanderziehen",
        equipment="Widerstandsband",
        setup=(
            "Stehen Sie aufrecht. Halten Sie ein Widerstandsband auf Schulterhöhe vor sich, die "
            "Hände schulterbreit auseinander, die Arme gerade."
        ),
        movement=(
            "Ziehen Sie das Band auseinander, indem Sie die Hände zur Seite führen, bis das Band "
            "fast Ihre Brust berührt. Ziehen Sie die Schulterblätter zusammen. Gehen Sie langsam "
            "zurück."
        ),
        good_form=(
            "Die Arme bleiben gerade und auf Schulterhöhe. Die Schultern bleiben unten, weg von "
            "den Ohren. Die Rippen bleiben unten, sodass Sie kein Hohlkreuz machen."
        ),
        stop_if=(
            "Hören Sie auf, wenn Sie vorn in der Schulter ein Stechen spüren. Nehmen Sie ein "
            "leichteres Band, wenn Sie die Schultern hochziehen. " + _ARM
        ),
        progression=(
            "Beginnen Sie mit einem leichten Band. Steigern Sie sich auf 15 langsame "
            "Wiederholungen. Dann halten Sie die Hände etwas enger zusammen oder nehmen ein "
            "stärkeres Band."
        ),
    ),
    "prone-y-t-w": GermanText(
        name="Y-T-W-Heben in Bauchlage",
        equipment="Übungsmatte",
        setup=(
            "Legen Sie sich auf den Bauch, auf eine Matte oder ein festes Bett. Legen Sie die "
            "Stirn auf ein kleines gefaltetes Handtuch. Die Arme liegen über dem Kopf auf dem "
            "Boden."
        ),
        movement=(
            "Heben Sie beide Arme etwas vom Boden ab, in Form eines Y, die Daumen zeigen nach "
            "oben. Halten Sie eine Sekunde, dann legen Sie die Arme ab. Dann heben Sie sie "
            "seitlich in Form eines T. Dann beugen Sie die Ellbogen und ziehen sie nach hinten zu "
            "einem W. Dabei ziehen Sie die Schulterblätter zusammen. Ein Y, ein T und ein W sind "
            "eine Wiederholung."
        ),
        good_form=(
            "Sie heben aus den Schulterblättern, die Schultern bleiben weg von den Ohren. Die "
            "Stirn bleibt auf dem Handtuch und der Nacken bleibt lang. Kleine Bewegungen sind "
            "in Ordnung."
        ),
        stop_if=(
            "Hören Sie auf, wenn Sie ein Stechen in der Schulter spüren oder der untere Rücken "
            "schmerzt. " + _ARM
        ),
        progression=(
            "Beginnen Sie mit kleinen, langsamen Bewegungen. Steigern Sie sich auf 12 "
            "Wiederholungen. Dann halten Sie jede Position oben 3 Sekunden lang."
        ),
    ),
    "chin-nod-lying": GermanText(
        name="Kinn-Nicken im Liegen",
        equipment="Gefaltetes Handtuch",
        setup=(
            "Legen Sie sich auf den Rücken und stellen Sie die Knie auf. Legen Sie den Kopf auf "
            "ein dünnes gefaltetes Handtuch, sodass Ihr Gesicht gerade nach oben zeigt. Lockern "
            "Sie den Kiefer und legen Sie die Zunge an den Gaumen."
        ),
        movement=(
            "Nicken Sie langsam mit dem Kinn nach unten, wie bei einem kleinen Ja. Der "
            "Hinterkopf gleitet dabei auf dem Handtuch nach oben. Halten Sie 5 Sekunden und "
            "atmen Sie weiter. Entspannen Sie sich zurück in die Ausgangslage."
        ),
        good_form=(
            "Die Bewegung ist winzig und sanft. Die tiefen Muskeln vorn am Hals arbeiten leicht. "
            "Die großen Muskeln seitlich am Hals bleiben weich: Legen Sie zur Kontrolle die "
            "Finger darauf. Der Kopf bleibt auf dem Handtuch."
        ),
        stop_if=(
            "Hören Sie auf, wenn Ihre Nackenschmerzen stärker werden oder Sie Kopfschmerzen "
            "bekommen. Hören Sie auf und melden Sie sich bei der Praxis, wenn Ihnen schwindelig "
            "wird oder Sie Kribbeln oder Taubheit im Gesicht, in den Armen oder Händen spüren."
        ),
        progression=(
            "Beginnen Sie damit, 5 Sekunden zu halten. Steigern Sie sich auf 10 Sekunden, wobei "
            "die großen Halsmuskeln weich bleiben. Dann üben Sie das Nicken auch im Sitzen."
        ),
    ),
    "neck-rotation-range": GermanText(
        name="Kopfdrehen",
        equipment="Keine",
        setup="Sitzen Sie aufrecht, die Schultern sind locker. Schauen Sie geradeaus.",
        movement=(
            "Drehen Sie den Kopf langsam, um über die rechte Schulter zu schauen, so weit es "
            "angenehm ist. Halten Sie 2 Sekunden. Kommen Sie zurück zur Mitte, dann drehen Sie "
            "nach links."
        ),
        good_form=(
            "Die Bewegung ist langsam und gleichmäßig. Das Kinn bleibt gerade und die Schultern "
            "bleiben ruhig. Gehen Sie sanft bis ans Ende der Drehung: nicht mit Kraft und nicht "
            "federn."
        ),
        stop_if=_DIZZY_NECK,
        progression=(
            "Beginnen Sie mit kleinen, leichten Drehungen. Gehen Sie jeden Tag ein wenig weiter, "
            "so weit es angenehm ist. Sie müssen nicht in den Schmerz gehen, um besser zu werden."
        ),
    ),
    "upper-trapezius-stretch": GermanText(
        name="Dehnung der seitlichen Halsmuskeln",
        equipment="Stuhl",
        setup=(
            "Sitzen Sie aufrecht auf einem Stuhl. Halten Sie sich mit der rechten Hand an der "
            "Kante der Sitzfläche fest, damit die rechte Schulter unten bleibt."
        ),
        movement=(
            "Neigen Sie das linke Ohr zur linken Schulter, bis Sie eine Dehnung an der rechten "
            "Halsseite spüren. Legen Sie die linke Hand leicht auf den Kopf, ohne zu ziehen. "
            "Halten Sie und atmen Sie langsam. Kommen Sie langsam wieder hoch, dann wechseln Sie "
            "die Seite."
        ),
        good_form=(
            "Sie spüren eine sanfte, gleichmäßige Dehnung, keinen Schmerz. Ihr Gesicht schaut "
            "weiter nach vorn. Die Schultern bleiben auf einer Höhe."
        ),
        stop_if=_DIZZY_NECK,
        progression=(
            "Beginnen Sie damit, die Dehnung sanft 20 Sekunden zu halten. Steigern Sie sich auf "
            "30 Sekunden. Lassen Sie die Dehnung beim Ausatmen nachgeben, statt stärker zu "
            "ziehen."
        ),
    ),
    "levator-scapulae-stretch": GermanText(
        name="Dehnung des hinteren Nackens",
        equipment="Stuhl",
        setup=(
            "Sitzen Sie aufrecht auf einem Stuhl. Halten Sie sich mit der rechten Hand an der "
            "Kante der Sitzfläche fest, damit die rechte Schulter unten bleibt."
        ),
        movement=(
            "Drehen Sie den Kopf etwa halb nach links. Dann senken Sie das Kinn, als ob Sie auf "
            "Ihre linke Hosentasche schauen. Legen Sie die linke Hand leicht auf den Hinterkopf, "
            "ohne zu ziehen. Halten Sie und atmen Sie langsam. Kommen Sie langsam wieder hoch, "
            "dann wechseln Sie die Seite."
        ),
        good_form=(
            "Sie spüren eine sanfte Dehnung hinten rechts am Nacken, bis hinunter zum "
            "Schulterblatt. Es ist eine Dehnung, kein Schmerz. Die Schultern bleiben auf einer "
            "Höhe."
        ),
        stop_if=_DIZZY_NECK,
        progression=(
            "Beginnen Sie damit, die Dehnung sanft 20 Sekunden zu halten. Steigern Sie sich auf "
            "30 Sekunden. Lassen Sie die Dehnung beim Ausatmen nachgeben, statt stärker zu "
            "ziehen."
        ),
    ),
    "open-book": GermanText(
        name="Offenes Buch",
        equipment="Übungsmatte",
        setup=(
            "Legen Sie sich auf die linke Seite, die Knie auf Hüfthöhe angezogen. Legen Sie den "
            "Kopf auf ein Kissen. Strecken Sie beide Arme auf Schulterhöhe nach vorn, die "
            "Handflächen liegen aufeinander."
        ),
        movement=(
            "Lassen Sie die Knie zusammen auf dem Boden. Heben Sie den rechten Arm langsam nach "
            "oben und hinüber, sodass sich Ihre Brust zur Decke öffnet. Kopf und Blick folgen "
            "der Hand. Halten Sie kurz und atmen Sie aus. Dann bringen Sie den Arm zurück. "
            "Machen Sie alle Wiederholungen, dann legen Sie sich auf die andere Seite."
        ),
        good_form=(
            "Die Drehung kommt aus dem oberen Rücken, nicht aus dem unteren Rücken. Die Knie "
            "bleiben zusammen auf dem Boden. Der Arm geht nur so weit, wie es angenehm ist."
        ),
        stop_if=(
            "Hören Sie auf, wenn Sie einen stechenden Schmerz im Rücken oder in der Schulter "
            "spüren. " + _ARM
        ),
        progression=(
            "Beginnen Sie mit einer kleinen, leichten Drehung. Gehen Sie im Lauf der Wochen ein "
            "wenig weiter. Dann halten Sie am Ende jeder Drehung 3 Sekunden und atmen langsam "
            "aus."
        ),
    ),
    "thread-the-needle": GermanText(
        name="Einfädeln",
        equipment="Übungsmatte",
        setup=(
            "Gehen Sie auf einer Matte in den Vierfüßlerstand: die Hände unter den Schultern, "
            "die Knie unter der Hüfte."
        ),
        movement=(
            "Heben Sie die rechte Hand und schieben Sie sie mit der Handfläche nach oben unter "
            "Ihrem Körper nach links. Lassen Sie die rechte Schulter zum Boden sinken. Halten "
            "Sie kurz. Dann drehen Sie sich zurück und strecken den rechten Arm zur Decke. "
            "Machen Sie alle Wiederholungen, dann wechseln Sie die Seite."
        ),
        good_form=(
            "Die Drehung kommt aus dem oberen Rücken. Die Hüfte bleibt über den Knien. Der Kopf "
            "folgt der Bewegung, ohne dass Sie ihn zwingen."
        ),
        stop_if=(
            "Hören Sie auf, wenn Sie einen stechenden Schmerz im Rücken, in der Schulter oder im "
            "Handgelenk spüren. Hören Sie auf und melden Sie sich bei der Praxis, wenn Ihnen "
            "schwindelig wird, Schmerzen in einen Arm ausstrahlen oder Sie Kribbeln spüren."
        ),
        progression=(
            "Beginnen Sie mit einer kleinen, leichten Drehung. Greifen Sie im Lauf der Wochen "
            "ein wenig weiter. Dann halten Sie an jedem Ende 3 Sekunden."
        ),
    ),
    "cat-camel": GermanText(
        name="Katzenbuckel und Pferderücken",
        equipment="Übungsmatte",
        setup=(
            "Gehen Sie auf einer Matte in den Vierfüßlerstand: die Hände unter den Schultern, "
            "die Knie unter der Hüfte."
        ),
        movement=(
            "Machen Sie langsam einen runden Rücken zur Decke und lassen Sie den Kopf hängen. "
            "Dann lassen Sie die Brust langsam sinken und heben den Kopf, um nach vorn zu "
            "schauen. Bewegen Sie sich in einer ruhigen Welle hin und her."
        ),
        good_form=(
            "Die Bewegung ist langsam und angenehm, durch die ganze Wirbelsäule. Die Arme "
            "bleiben gestreckt. Atmen Sie aus, wenn Sie den Rücken rund machen, und ein, wenn "
            "die Brust sinkt."
        ),
        stop_if=(
            "Hören Sie auf, wenn Sie einen stechenden Schmerz im Rücken oder Nacken spüren. "
            "Hören Sie auf und melden Sie sich bei der Praxis, wenn Ihnen schwindelig wird, "
            "Schmerzen in einen Arm oder ein Bein ausstrahlen oder Sie Kribbeln spüren."
        ),
        progression=(
            "Beginnen Sie mit kleinen Bewegungen. Lassen Sie sie im Lauf der Wochen größer "
            "werden, so weit es angenehm ist. Bleiben Sie langsam."
        ),
    ),
    "thoracic-extension-chair": GermanText(
        name="Rückenstrecken über die Stuhllehne",
        equipment="Stuhl",
        setup=(
            "Setzen Sie sich auf einen Stuhl mit fester Lehne, die etwa bis zu den "
            "Schulterblättern reicht. Setzen Sie sich ganz nach hinten, sodass Ihr oberer Rücken "
            "an der Lehne liegt. Kreuzen Sie die Arme vor der Brust."
        ),
        movement=(
            "Lehnen Sie sich sanft über die Lehne nach hinten und heben Sie die Brust zur Decke. "
            "Gehen Sie so weit, wie es angenehm ist. Halten Sie für einen Atemzug, dann setzen "
            "Sie sich wieder aufrecht hin."
        ),
        good_form=(
            "Die Streckung kommt aus dem oberen Rücken, über der Lehne. Der Po bleibt auf dem "
            "Sitz und der untere Rücken bleibt ruhig. Der Kopf bewegt sich mit dem oberen "
            "Rücken: Legen Sie ihn nicht allein in den Nacken."
        ),
        stop_if=(
            "Hören Sie auf, wenn Sie einen stechenden Schmerz im Rücken spüren. Hören Sie auf "
            "und melden Sie sich bei der Praxis, wenn Ihnen schwindelig wird, Schmerzen in einen "
            "Arm ausstrahlen oder Sie Kribbeln spüren."
        ),
        progression=(
            "Beginnen Sie mit kleinen Bewegungen. Steigern Sie sich auf 10 langsame "
            "Wiederholungen. Machen Sie einen Satz auch in einer Pause am Schreibtisch, nicht "
            "nur zu Hause."
        ),
    ),
    "thoracic-extension-roller": GermanText(
        name="Oberen Rücken über einer Rolle strecken",
        equipment="Schaumstoffrolle oder gerolltes Handtuch",
        setup=(
            "Legen Sie sich auf den Rücken, die Knie aufgestellt, die Füße flach auf dem Boden. "
            "Legen Sie eine Schaumstoffrolle oder ein fest gerolltes Handtuch quer unter Ihre "
            "Schulterblätter. Stützen Sie den Kopf mit den Händen, die Ellbogen zeigen nach oben."
        ),
        movement=(
            "Lassen Sie den Po auf dem Boden. Lassen Sie den oberen Rücken sanft über die Rolle "
            "nach hinten sinken. Halten Sie kurz und atmen Sie aus. Heben Sie sich wieder an. "
            "Dann rutschen Sie etwas, sodass die Rolle ein Stück höher am Rücken liegt, und "
            "wiederholen."
        ),
        good_form=(
            "Die Streckung kommt aus dem oberen Rücken, über der Rolle. Die Hände stützen den "
            "Kopf und der Nacken bleibt locker. Der untere Rücken bleibt ruhig."
        ),
        stop_if=(
            "Hören Sie auf, wenn Sie einen stechenden Schmerz im Rücken oder an den Rippen "
            "spüren. Hören Sie auf und melden Sie sich bei der Praxis, wenn Ihnen schwindelig "
            "wird, Schmerzen in einen Arm ausstrahlen oder Sie Kribbeln spüren."
        ),
        progression=(
            "Beginnen Sie mit einem gerollten Handtuch, das ist weicher. Nehmen Sie eine "
            "Schaumstoffrolle, wenn sich das leicht anfühlt. Steigern Sie sich auf 10 langsame "
            "Wiederholungen."
        ),
    ),
    "scapular-wall-slide": GermanText(
        name="Armgleiten an der Wand",
        equipment="Wand",
        setup=(
            "Stellen Sie sich mit dem Gesicht zur Wand, einen kleinen Schritt entfernt. Legen Sie "
            "die Unterarme schulterbreit an die Wand, die Ellbogen auf Schulterhöhe."
        ),
        movement=(
            "Schieben Sie die Unterarme an der Wand nach oben, so hoch es angenehm ist. Lassen "
            "Sie die Schulterblätter dabei nach oben und außen gleiten. Gleiten Sie langsam "
            "wieder nach unten."
        ),
        good_form=(
            "Die Schultern bleiben unten, weg von den Ohren. Der untere Rücken bleibt ruhig, "
            "ohne Hohlkreuz. Die Bewegung ist gleichmäßig und schmerzfrei."
        ),
        stop_if="Hören Sie auf, wenn Sie oben in der Schulter ein Stechen spüren. " + _ARM,
        progression=(
            "Steigern Sie sich auf 15 langsame Wiederholungen. Dann heben Sie oben die Unterarme "
            "ein kleines Stück von der Wand ab und halten 3 Sekunden."
        ),
    ),
    "scapular-retraction": GermanText(
        name="Schulterblätter zusammenziehen im Sitzen",
        equipment="Stuhl",
        setup=(
            "Sitzen Sie aufrecht auf Ihrem Stuhl, die Füße flach auf dem Boden. Die Arme hängen "
            "neben dem Körper oder liegen auf den Oberschenkeln."
        ),
        movement=(
            "Ziehen Sie die Schulterblätter sanft nach hinten und unten, als ob Sie sie in die "
            "Gesäßtaschen stecken. Halten Sie 5 Sekunden. Entspannen Sie sich."
        ),
        good_form=(
            "Die Schultern gehen nach hinten und unten, nicht hoch zu den Ohren. Das Kinn bleibt "
            "gerade. Nehmen Sie etwa die Hälfte Ihrer Kraft: Es ist ein sanftes Zusammenziehen."
        ),
        stop_if=(
            "Hören Sie auf, wenn das Zusammenziehen Nackenschmerzen oder Kopfschmerzen auslöst. "
            + _ARM
        ),
        progression=(
            "Steigern Sie sich darauf, 10 Sekunden zu halten. Dann machen Sie während des "
            "Arbeitstages etwa jede Stunde einen Satz."
        ),
    ),
    "chin-tuck-desk": GermanText(
        name="Kinn zurückziehen am Schreibtisch",
        equipment="Stuhl",
        setup=(
            "Sitzen Sie aufrecht am Schreibtisch, die Füße flach auf dem Boden. Schauen Sie "
            "geradeaus auf den Bildschirm."
        ),
        movement=(
            "Schieben Sie den Kopf gerade nach hinten, als ob Sie ein Doppelkinn machen. Der "
            "Blick bleibt gerade. Halten Sie 3 Sekunden. Entspannen Sie sich zurück nach vorn."
        ),
        good_form=(
            "Der Kopf gleitet auf einer geraden Linie nach hinten, ohne nach oben oder unten zu "
            "kippen. Sie spüren eine sanfte Dehnung hinten am Nacken. Die Schultern bleiben "
            "locker."
        ),
        stop_if=(
            "Hören Sie auf, wenn die Übung Kopfschmerzen auslöst oder Ihre Nackenschmerzen "
            "stärker werden. Hören Sie auf und melden Sie sich bei der Praxis, wenn Ihnen "
            "schwindelig wird oder Sie Kribbeln oder Taubheit in den Armen oder Händen spüren."
        ),
        progression=(
            "Beginnen Sie mit wenigen sanften Bewegungen. Steigern Sie sich auf 10, mehrmals am "
            "Tag. Verbinden Sie die Übung mit etwas, das Sie oft tun, zum Beispiel eine E-Mail "
            "abschicken. So wird sie zur Gewohnheit."
        ),
    ),
    "wall-angel": GermanText(
        name="Wand-Engel",
        equipment="Wand",
        setup=(
            "Stellen Sie sich mit dem Rücken an eine Wand, die Füße einen kleinen Schritt davor. "
            "Po und oberer Rücken berühren die Wand. Wenn der Hinterkopf die Wand nicht leicht "
            "erreicht, legen Sie ein gefaltetes Handtuch dahinter: Zwingen Sie ihn nicht. Heben "
            "Sie die Arme in U-Form, die Ellbogen gebeugt, die Rückseiten der Arme zur Wand."
        ),
        movement=(
            "Schieben Sie die Arme langsam an der Wand nach oben, so weit es angenehm ist. Dann "
            "schieben Sie sie zurück in die U-Form."
        ),
        good_form=(
            "Der untere Rücken bleibt sanft an der Wand, ohne Hohlkreuz. Die Schultern bleiben "
            "unten. Die Arme gehen nur so hoch, wie sie nah an der Wand bleiben können. Kleine "
            "Bewegungen sind in Ordnung."
        ),
        stop_if="Hören Sie auf, wenn Sie ein Stechen in der Schulter spüren. " + _ARM,
        progression=(
            "Beginnen Sie mit kleinen Bewegungen. Gehen Sie im Lauf der Wochen etwas höher, "
            "solange Rücken und Arme nah an der Wand bleiben. Steigern Sie sich auf 12 langsame "
            "Wiederholungen."
        ),
    ),
    "doorway-pec-stretch": GermanText(
        name="Brustdehnung im Türrahmen",
        equipment="Türrahmen",
        setup=(
            "Stellen Sie sich in einen Türrahmen. Legen Sie die Unterarme auf beiden Seiten an "
            "den Rahmen, die Ellbogen knapp unter Schulterhöhe. Stellen Sie einen Fuß nach vorn."
        ),
        movement=(
            "Lehnen Sie sich sanft nach vorn, bis Sie eine Dehnung vorn an Brust und Schultern "
            "spüren. Halten Sie und atmen Sie langsam. Gehen Sie einen Schritt zurück, um "
            "loszulassen."
        ),
        good_form=(
            "Sie spüren eine sanfte Dehnung quer über die Brust, keinen Schmerz in den "
            "Schultern. Die Schultern bleiben unten und das Kinn bleibt gerade. Der Rücken "
            "bleibt gerade, ohne Hohlkreuz."
        ),
        stop_if="Hören Sie auf, wenn Sie vorn in der Schulter Schmerzen spüren. " + _ARM,
        progression=(
            "Beginnen Sie damit, die Dehnung sanft 20 Sekunden zu halten. Steigern Sie sich auf "
            "30 Sekunden, dann auf 3 Wiederholungen. Lassen Sie die Dehnung beim Ausatmen "
            "nachgeben, statt sich stärker nach vorn zu lehnen."
        ),
    ),
    "posture-reset-break": GermanText(
        name="Haltungspause",
        equipment="Stuhl",
        setup=(
            "Stellen Sie sich eine Erinnerung am Handy oder Computer ein: alle 30 bis 45 "
            "Minuten, solange Sie am Schreibtisch sitzen."
        ),
        movement=(
            "Wenn die Erinnerung kommt, hören Sie mit der Arbeit auf. Stehen Sie auf oder setzen "
            "Sie sich aufrecht an die Vorderkante des Stuhls. Lassen Sie die Arme hängen. "
            "Kreisen Sie die Schultern ein paar Mal nach hinten und unten. Bleiben Sie aufrecht "
            "und locker und atmen Sie langsam. Lassen Sie die Brust beim Einatmen steigen. "
            "Entspannen Sie sich, dann machen Sie es noch einmal. Schauen Sie dabei vom "
            "Bildschirm weg in die Ferne."
        ),
        good_form=(
            "Danach fühlen Sie sich größer und lockerer. Die Schultern sind unten und hinten, "
            "nicht hochgezogen. Es fühlt sich leicht und entspannend an."
        ),
        stop_if=(
            "Setzen Sie sich wieder hin, wenn Ihnen beim Aufstehen schwindelig wird, und melden "
            "Sie sich bei der Praxis, wenn das öfter passiert. " + _ARM
        ),
        progression=(
            "Beginnen Sie mit einer Pause jede Stunde. Kommen Sie nach und nach auf eine Pause "
            "alle 30 bis 45 Minuten. Lassen Sie die Erinnerungen an: Regelmäßige Pausen sind "
            "wichtiger als perfektes Sitzen."
        ),
    ),
}


@dataclass(frozen=True, slots=True)
class GermanPhase:
    name: str
    goal: str


@dataclass(frozen=True, slots=True)
class GermanTemplate:
    name: str
    summary: str
    phases: tuple[GermanPhase, ...]


TEMPLATES_GERMAN: dict[str, GermanTemplate] = {
    "desk-posture-mobility": GermanTemplate(
        name="Haltung und Beweglichkeit am Schreibtisch",
        summary=(
            "Sanfte Bewegungen und kurze Pausen gegen einen steifen Nacken und oberen Rücken "
            "durch die Arbeit am Schreibtisch. Ohne Gewichte: oft ein wenig, über den Tag "
            "verteilt."
        ),
        phases=(
            GermanPhase(
                name="In Bewegung kommen",
                goal=(
                    "Unterbrechen Sie langes Sitzen und lösen Sie die Steifheit in Nacken und "
                    "oberem Rücken."
                ),
            ),
            GermanPhase(
                name="Eine Gewohnheit daraus machen",
                goal=(
                    "Machen Sie die Pausen zu einem festen Teil Ihres Arbeitstags. Beginnen Sie, "
                    "die Muskeln zu kräftigen, die Sie aufrecht halten."
                ),
            ),
            GermanPhase(
                name="Kräftigere Haltung",
                goal=(
                    "Kräftigen Sie Ihren oberen Rücken und Ihren Nacken. Dann kostet gutes Sitzen "
                    "weniger Mühe."
                ),
            ),
        ),
    ),
    "upper-back-kettlebell-foundations": GermanTemplate(
        name="Kettlebell-Grundlagen für den oberen Rücken",
        summary=(
            "Leichte Übungen mit der Kettlebell, die Ihren oberen Rücken kräftigen, und "
            "Bewegungen, die Ihre Wirbelsäule beweglich halten. Sie beginnen leicht und nehmen "
            "erst mehr Gewicht, wenn Sie die Übungen sicher und sauber können."
        ),
        phases=(
            GermanPhase(
                name="Die Bewegungen lernen",
                goal=(
                    "Lernen Sie jede Bewegung mit einer leichten Kettlebell. Halten Sie Ihren "
                    "oberen Rücken in Bewegung."
                ),
            ),
            GermanPhase(
                name="Aufbauen",
                goal=(
                    "Machen Sie einen Satz mehr und nehmen Sie etwas mehr Gewicht. Jede "
                    "Wiederholung bleibt ruhig und gleichmäßig."
                ),
            ),
            GermanPhase(
                name="Stärker werden",
                goal=(
                    "Heben Sie etwas mehr Gewicht, genauso sauber wie bisher. So kommt Ihr oberer "
                    "Rücken im Alltag besser zurecht."
                ),
            ),
        ),
    ),
    "return-to-lifting": GermanTemplate(
        name="Zurück zum Training mit Gewichten",
        summary=(
            "Schritt für Schritt zurück ins Fitnessstudio nach einer Zerrung im Nacken oder "
            "oberen Rücken. Zuerst bauen Sie die Grundlagen wieder auf. Schwünge, Turkish Get-ups "
            "und Drücken über Kopf kommen erst wieder dazu, wenn Ihre Behandlerin oder Ihr "
            "Behandler zustimmt."
        ),
        phases=(
            GermanPhase(
                name="Die Grundlagen wieder aufbauen",
                goal=(
                    "Heben Sie wieder ruhig und kontrolliert, mit mittleren Gewichten und "
                    "sauberer Bewegung."
                ),
            ),
            GermanPhase(
                name="Mehr Gewicht",
                goal=(
                    "Heben Sie etwas mehr Gewicht und kräftigen Sie die Muskeln um Ihre "
                    "Schulterblätter. So sind Sie bereit für schnelle Übungen und Übungen über "
                    "dem Kopf."
                ),
            ),
            GermanPhase(
                name="Zurück zu allen Übungen",
                goal=(
                    "Schwünge, Turkish Get-ups und Drücken über Kopf kommen wieder dazu: zuerst "
                    "mit wenig Gewicht und mit sehr sauberer Bewegung."
                ),
            ),
        ),
    ),
    "neck-and-shoulder-stretching": GermanTemplate(
        name="Dehnen für Nacken und Schultern",
        summary=(
            "Tägliches Dehnen und sanftes Kräftigen bei einem steifen, schmerzenden Nacken und "
            "steifen Schultern. Über sechs Wochen halten Sie die Dehnungen langsam immer länger."
        ),
        phases=(
            GermanPhase(
                name="Sanft bewegen",
                goal=(
                    "Lösen Sie die Steifheit an den meisten Tagen mit kurzen, sanften Dehnungen."
                ),
            ),
            GermanPhase(
                name="Länger halten",
                goal=(
                    "Halten Sie jede Dehnung etwas länger. Beginnen Sie, Ihren Nacken und Ihre "
                    "Schulterblätter zu kräftigen."
                ),
            ),
            GermanPhase(
                name="Dranbleiben",
                goal=(
                    "Machen Sie das Dehnen zu einem festen Teil Ihrer Woche. Kräftigere Muskeln "
                    "um die Schulterblätter helfen Ihnen dabei."
                ),
            ),
        ),
    ),
}
