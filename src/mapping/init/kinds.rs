//! The exports `mapping init` knows, told apart by their signature columns, and what a
//! column means in one of them when its name alone would mislead: in an Apollo people
//! export `Twitter Url` is the company's, in a LinkedIn export `URL` is the profile.

use super::names::{How, Meaning, Owner, PlacePart, normalize};
use crate::schema::Table;

/// An export tool's file, as recognised from its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    ApolloPeople,
    ApolloAccounts,
    HubSpotContacts,
    HubSpotCompanies,
    Salesforce,
    LinkedIn,
    GoogleContacts,
    Mailchimp,
    Outlook,
    DatablistCustomers,
    DatablistPeople,
    DatablistOrganizations,
}

impl Kind {
    /// The kind as the header comment names it: "an Apollo people export".
    pub fn describe(self) -> &'static str {
        match self {
            Kind::ApolloPeople => "an Apollo people export",
            Kind::ApolloAccounts => "an Apollo accounts (companies) export",
            Kind::HubSpotContacts => "a HubSpot contacts export",
            Kind::HubSpotCompanies => "a HubSpot companies export",
            Kind::Salesforce => "a Salesforce report export",
            Kind::LinkedIn => "a LinkedIn Connections export",
            Kind::GoogleContacts => "a Google Contacts export",
            Kind::Mailchimp => "a Mailchimp audience export",
            Kind::Outlook => "an Outlook contacts export",
            Kind::DatablistCustomers => "a Datablist customers sample",
            Kind::DatablistPeople => "a Datablist people sample",
            Kind::DatablistOrganizations => "a Datablist organizations sample",
        }
    }
}

/// The columns that give a kind away: all of `all_of`, at least `need` of `marks`, and
/// none of `none_of`, all as normalised names.
struct Signature {
    kind: Kind,
    all_of: &'static [&'static str],
    marks: &'static [&'static str],
    need: usize,
    none_of: &'static [&'static str],
}

/// Tried in order; the first that fits wins.
const SIGNATURES: [Signature; 11] = [
    Signature {
        kind: Kind::ApolloPeople,
        all_of: &[],
        marks: &[
            "apollocontactid",
            "personlinkedinurl",
            "emailstatus",
            "primaryemailsource",
            "emailconfidence",
        ],
        need: 2,
        none_of: &[],
    },
    Signature {
        kind: Kind::ApolloAccounts,
        all_of: &[],
        marks: &[
            "apolloaccountid",
            "companynameforemails",
            "accountstage",
            "companylinkedinurl",
            "numberofretaillocations",
        ],
        need: 2,
        none_of: &["email", "firstname"],
    },
    Signature {
        kind: Kind::LinkedIn,
        all_of: &["connectedon"],
        marks: &["url", "emailaddress", "company", "position", "firstname"],
        need: 2,
        none_of: &[],
    },
    Signature {
        kind: Kind::HubSpotContacts,
        all_of: &[],
        marks: &[
            "lifecyclestage",
            "leadstatus",
            "contactowner",
            "associatedcompanydomain",
            "associatedcompany",
            "recordid",
            "contactid",
        ],
        need: 3,
        none_of: &[],
    },
    Signature {
        kind: Kind::HubSpotCompanies,
        all_of: &[],
        marks: &[
            "companydomainname",
            "companyowner",
            "recordid",
            "lifecyclestage",
        ],
        need: 2,
        none_of: &["email"],
    },
    Signature {
        kind: Kind::GoogleContacts,
        all_of: &[],
        marks: &[
            "givenname",
            "familyname",
            "email1value",
            "email1type",
            "groupmembership",
            "organization1name",
            "phone1value",
        ],
        need: 3,
        none_of: &[],
    },
    Signature {
        kind: Kind::Mailchimp,
        all_of: &[],
        marks: &[
            "memberrating",
            "optintime",
            "optinip",
            "confirmtime",
            "leid",
            "euid",
            "gmtoff",
            "lastchanged",
        ],
        need: 3,
        none_of: &[],
    },
    Signature {
        kind: Kind::Outlook,
        all_of: &[],
        marks: &[
            "emailwork",
            "emailhome",
            "email2address",
            "businessphone",
            "homestreet",
            "businessstreet",
            "businesscity",
            "homefax",
            "businessfax",
            "carphone",
            "pager",
        ],
        need: 3,
        none_of: &[],
    },
    Signature {
        kind: Kind::DatablistCustomers,
        all_of: &["customerid"],
        marks: &["index", "subscriptiondate", "phone1", "phone2", "company"],
        need: 2,
        none_of: &[],
    },
    Signature {
        kind: Kind::DatablistPeople,
        all_of: &["userid"],
        marks: &["index", "sex", "dateofbirth", "jobtitle"],
        need: 2,
        none_of: &[],
    },
    Signature {
        kind: Kind::DatablistOrganizations,
        all_of: &["organizationid"],
        marks: &[
            "index",
            "founded",
            "numberofemployees",
            "description",
            "industry",
        ],
        need: 2,
        none_of: &[],
    },
];

/// The objects of a Salesforce report header, `Account: Account Name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Object {
    Contact,
    Account,
    /// An object whose fields the webhook has no place for, such as an opportunity.
    Other,
}

/// What a column means in one kind of export, overriding its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    Means(Meaning, How),
    LeftOut(&'static str),
}

/// The kind of export a header comes from, when its columns give it away.
pub fn detect(names: &[&str]) -> Option<Kind> {
    let salesforce = names
        .iter()
        .filter_map(|n| n.split_once(": "))
        .filter(|(object, _)| salesforce_object(object).is_some())
        .count();
    if salesforce >= 2 {
        return Some(Kind::Salesforce);
    }
    let norms: Vec<String> = names.iter().map(|n| normalize(n)).collect();
    let has = |name: &&str| norms.iter().any(|n| n == name);
    SIGNATURES
        .iter()
        .find(|s| {
            s.all_of.iter().all(has)
                && s.marks.iter().filter(|m| has(m)).count() >= s.need
                && !s.none_of.iter().any(has)
        })
        .map(|s| s.kind)
}

/// The Salesforce object a header's prefix names, if it names one.
pub fn salesforce_object(prefix: &str) -> Option<Object> {
    match prefix.trim().to_lowercase().as_str() {
        "contact" | "lead" => Some(Object::Contact),
        "account" => Some(Object::Account),
        "opportunity" | "case" | "campaign" | "user" | "owner" | "activity" | "task" => {
            Some(Object::Other)
        }
        _ => None,
    }
}

/// What a column (by its normalised name) means in this kind of export, where that differs
/// from what its name says in general.
pub fn special(kind: Kind, norm: &str) -> Option<Special> {
    use Special::{LeftOut, Means};
    let company_handle = |field| Means(Meaning::Field(Table::Company, field), How::Handle);
    Some(match (kind, norm) {
        (Kind::ApolloPeople | Kind::ApolloAccounts, "facebookurl") => {
            company_handle("facebookHandle")
        }
        (Kind::ApolloPeople | Kind::ApolloAccounts, "twitterurl") => company_handle("xHandle"),
        (Kind::LinkedIn, "url") => Means(
            Meaning::Field(Table::Contact, "linkedInHandle"),
            How::Handle,
        ),
        (Kind::LinkedIn, "connectedon") => {
            LeftOut("the day you connected; the webhook has no field for it")
        }
        (Kind::Outlook, "title") => LeftOut("a courtesy title such as Mr. or Dr., not a job"),
        (Kind::GoogleContacts, "website1value") => {
            Means(Meaning::Field(Table::Contact, "website"), How::Plain)
        }
        (Kind::Mailchimp, "cc") => Means(
            Meaning::Place(Owner::Either, PlacePart::Country),
            How::Plain,
        ),
        _ => return None,
    })
}
