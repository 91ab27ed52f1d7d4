// Synthetic members for `npm run seed -- --members N`: random names, contact details and balances.

import { randomBytes } from "node:crypto";
import { foldText } from "../../src/loyalty/search/search-terms.ts";
import { DAY, fmt, type SeedMember } from "./seed-sql.ts";

export const FIRST_NAMES = `
James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel Matthew Anthony
Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald Edward Jason Jeffrey Ryan
Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel Gregory Alexander
Patrick Frank Raymond Jack Dennis Jerry Tyler Aaron Jose Adam Nathan Henry Zachary Douglas Peter Kyle Noah
Ethan Jeremy Walter Christian Keith Roger Terry Austin Sean Gerald Carl Harold Dylan Arthur Lawrence Jordan
Jesse Bryan Billy Bruce Gabriel Joe Logan Alan Juan Albert Willie Elijah Wayne Randy Vincent Mason Roy Ralph
Bobby Russell Bradley Philip Eugene Liam Oliver Lucas Lachlan Cooper Harrison Hudson Archie Leo Oscar
Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty Sandra Margaret
Ashley Kimberly Emily Donna Michelle Carol Amanda Melissa Deborah Stephanie Dorothy Rebecca Sharon Laura
Cynthia Amy Kathleen Angela Shirley Brenda Emma Anna Pamela Nicole Samantha Katherine Christine Helen
Debra Rachel Carolyn Janet Maria Catherine Heather Diane Olivia Julie Joyce Victoria Ruth Virginia Lauren
Kelly Christina Joan Evelyn Judith Andrea Hannah Megan Cheryl Jacqueline Martha Madison Teresa Gloria Sara
Janice Ann Kathryn Abigail Sophia Frances Jean Alice Judy Isabella Julia Grace Amber Denise Danielle Marilyn
Beverly Charlotte Natalie Theresa Diana Brittany Doris Kayla Alexis Lori Marie Amelia Isla Mia Ruby Matilda
Chloe Zoe Ava Harper Willow Ivy Evie Poppy Sienna Georgia
José Zoë Søren Anaïs Chloé Renée François Björn Jürgen Łukasz Małgorzata Inès Maëlle Núria Héctor Émile
Thảo Siobhán Aoife Niamh Ciarán Seán Mateo Sofía Lucía Martín Raúl Ángel Andrés Camila Valentina Tomás
Wei Mei Jun Ying Hao Xin Li Ming Hiroshi Yuki Haruto Sakura Kenji Aiko Min-jun Ji-woo Seo-yeon Minh Linh
Anh Huong Priya Arjun Rahul Ananya Vikram Deepa Sanjay Aisha Fatima Omar Ahmed Yusuf Layla Zainab Hassan
Kwame Ngozi Chidi Amara Tendai Aroha Tane Mere Nikolai Olga Dimitri Eleni Giorgos Giulia Marco Luca Chiara
Francesca Matteo Lars Ingrid Astrid Sven Freya Magnus Piotr Katarzyna Agnieszka Tomasz
`.trim().split(/\s+/);

export const LAST_NAMES = `
Smith Jones Williams Brown Wilson Taylor Johnson White Martin Anderson Thompson Nguyen Thomas Walker Harris
Lee Ryan Robinson Kelly King Davis Wright Evans Roberts Green Hall Wood Jackson Clarke Patel Khan Lewis
James Phillips Mitchell Turner Campbell Young Allen Scott Edwards Hill Moore Baker Murphy Cooper Ward Hughes
Morris Clark Parker Adams Bell Stewart Cook Morgan Price Bennett Gray Collins Shaw Watson Murray Griffiths
Russell Hunter Kennedy Reid Ross Graham Fraser Hamilton Sullivan Walsh O'Brien O'Connor O'Neill McDonald
MacDonald McKenzie Mackenzie Henderson Ferguson Cameron Duncan Simpson Matthews Lloyd Marshall Owen Burke
Fitzgerald Byrne Doyle Quinn Brennan Gallagher Dunne Nolan Power Kavanagh Chen Wang Zhang Liu Li Yang Huang
Zhao Wu Zhou Xu Sun Ma Zhu Hu Lin Guo He Kim Park Choi Jung Kang Cho Yoon Jang Lim Tanaka Suzuki Takahashi
Watanabe Ito Yamamoto Nakamura Kobayashi Kato Tran Le Pham Hoang Phan Vu Dang Bui Do Ho Ngo Duong Ly Singh
Kaur Sharma Kumar Gupta Shah Mehta Reddy Rao Iyer Nair Das Bose Ali Ahmed Hussain Rahman Hassan Ibrahim
Haddad Khalil Nasser Mansour Saleh Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco
Bruno Gallo Conti Costa Giordano Papadopoulos Georgiou Nikolaidis Pappas Vlahos Dimitriou Müller Schmidt
Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter Klein Wolf Schröder
García Martínez López González Rodríguez Fernández Sánchez Pérez Gómez Díaz Álvarez Muñoz Romero Ruiz
Hernández Jiménez Moreno Navarro Dubois Lefèvre Moreau Laurent Simon Michel Leroy Roux David Bertrand
Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent Côté Gagnon Roy Bouchard Gauthier
Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsen Hansen Jensen Nielsen Kierkegaard Berg Haugen
Kowalski Kowalska Nowak Wiśniewski Wójcik Kamiński Lewandowski Zieliński Szymański Novák Horváth Kovács
Ivanov Petrov Smirnov Popov Sokolov Okafor Mensah Okonkwo Adeyemi Mwangi Ngata Tane Parata Walker-Smith
van der Berg de Jong de Vries van Dijk Bakker Janssen Visser Smit Meijer de la Cruz dos Santos da Silva
`.trim().split(/\n/).flatMap((line) =>
  // Multi-word surnames ("van der Berg", "de la Cruz", "dos Santos") stay together.
  line.match(/(?:(?:van der|van|de la|de|dos|da) \S+)|\S+/g) ?? [],
);

export const EMAIL_DOMAINS = ["example.com", "example.net", "example.org", "example.com.au", "mail.example.com"];
export const ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

export function randomInt(max: number): number {
  return Math.floor(Math.random() * max);
}

export function pick<T>(list: readonly T[]): T {
  return list[randomInt(list.length)]!;
}

export function randomId(): string {
  const bytes = randomBytes(16);
  let out = "mem_";
  for (const b of bytes) out += ID_ALPHABET[b % 36];
  return out;
}

export function emailLocal(text: string): string {
  return foldText(text).replace(/[^a-z0-9]+/g, "");
}

/** A skewed balance: most members hold a few hundred points, a few thousands. */
export function randomPoints(): number {
  const r = Math.random();
  if (r < 0.12) return 0;
  if (r < 0.7) return randomInt(800);
  if (r < 0.93) return 800 + randomInt(2200);
  return 3000 + randomInt(2001);
}

/** Emails and card numbers are unique per company: `taken` spans every file of one run. */
export function* syntheticMembers(
  count: number,
  now: number,
  taken: { emails: Set<string>; cards: Set<string> },
): Generator<SeedMember> {
  const { emails, cards } = taken;
  for (let i = 0; i < count; i++) {
    const firstName = pick(FIRST_NAMES);
    const lastName = Math.random() < 0.04 ? null : pick(LAST_NAMES);
    const hasEmail = Math.random() < 0.85;
    let email: string | null = null;
    if (hasEmail) {
      do {
        const style = randomInt(3);
        const first = emailLocal(firstName);
        const last = lastName ? emailLocal(lastName) : "";
        const local = style === 0 && last ? `${first}.${last}` : style === 1 && last ? `${first[0]}${last}` : `${first}${last ? `_${last}` : ""}`;
        email = `${local}${randomInt(100_000)}@${pick(EMAIL_DOMAINS)}`;
      } while (emails.has(email));
      emails.add(email);
    }
    // Every member without an email has a phone; most others too.
    const hasPhone = !hasEmail || Math.random() < 0.8;
    let phone: string | null = null;
    if (hasPhone) {
      const mobile = `4${String(randomInt(100_000_000)).padStart(8, "0")}`;
      const style = randomInt(4);
      phone =
        style === 0 ? `+61 ${fmt(mobile, [3, 3, 3])}` : style === 1 ? `+61${mobile}` : style === 2 ? `0${fmt(mobile, [3, 3, 3])}` : `0${mobile}`;
    }
    let cardNumber: string | null = null;
    if (Math.random() < 0.3) {
      do cardNumber = `6${String(randomInt(1_000_000_000)).padStart(11, "0")}`;
      while (cards.has(cardNumber));
      cards.add(cardNumber);
    }
    yield {
      id: randomId(),
      firstName,
      lastName,
      email,
      phone,
      cardNumber,
      points: randomPoints(),
      iconVersion: null,
      createdAt: now - randomInt(3 * 365) * DAY - randomInt(DAY),
    };
  }
}
