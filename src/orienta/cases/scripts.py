"""Consent scripts the caseworker reads out, in French, English and Haitian Creole.

Kept as text rather than translations of one English string: each is written for being read
aloud in its language, and all three are offered whatever the interface language is.
"""

from __future__ import annotations

SCRIPTS = {
    "fr": (
        "Je m'appelle … et je travaille pour {organisation}. Nous aidons les personnes qui "
        "reviennent au pays. Pour vous aider, j'ai besoin d'écrire votre nom, votre date de "
        "naissance, d'où vous venez et ce dont vous avez besoin. Ces informations restent "
        "confidentielles : seules les personnes qui s'occupent de votre dossier peuvent les voir. "
        "Nous ne les donnons à une autre organisation, pour un service, que si vous êtes "
        "d'accord. Vous pouvez refuser de répondre à une question, et vous pouvez retirer votre "
        "accord à tout moment ; cela ne changera pas l'aide d'urgence que vous recevez "
        "aujourd'hui. Êtes-vous d'accord pour que j'enregistre ces informations ?"
    ),
    "ht": (
        "Mwen rele … epi m ap travay pou {organisation}. Nou ede moun k ap tounen nan peyi a. "
        "Pou n ka ede w, mwen bezwen ekri non w, dat ou fèt, ki kote w soti ak sa w bezwen. "
        "Enfòmasyon sa yo rete sekrè : se sèlman moun k ap okipe dosye w ki ka wè yo. Nou p ap "
        "bay yon lòt òganizasyon yo pou yon sèvis si ou pa dakò. Ou ka refize reponn yon "
        "kesyon, epi ou ka retire akò w nenpòt ki lè ; sa p ap chanje èd ijans ou resevwa "
        "jodi a. Èske ou dakò pou m anrejistre enfòmasyon sa yo ?"
    ),
    "en": (
        "My name is … and I work for {organisation}. We help people who are returning home. "
        "To help you, I need to write down your name, your date of birth, where you come from "
        "and what you need. This information stays confidential: only the people handling your "
        "file can see it. We give it to another organisation, for a service, only if you agree. "
        "You may refuse to answer any question, and you may withdraw your agreement at any "
        "time; this will not change the emergency help you receive today. Do you agree that I "
        "record this information?"
    ),
}

NAMES = {"fr": "Français", "ht": "Kreyòl", "en": "English"}


def consent_scripts(organisation: str) -> list[tuple[str, str, str]]:
    return [
        (code, NAMES[code], text.format(organisation=organisation))
        for code, text in SCRIPTS.items()
    ]
