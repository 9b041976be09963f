use super::names::{self, Meaning};
use super::*;
use crate::input::Columns;
use crate::mapping::{Entry, Mapping, Origin, Slot, Typed};

/// A header as an export tool writes it, and what `mapping init` should make of it.
struct Case {
    what: &'static str,
    /// The header line, comma-separated (none of these names holds a comma).
    header: &'static str,
    /// Sample values for some columns.
    samples: &'static [(&'static str, &'static [&'static str])],
    /// The kind the header comment names.
    kind: Option<&'static str>,
    /// Every entry of the suggested mapping, in order, as [`describe`] writes it.
    entries: &'static [&'static str],
    /// Columns that must be listed as left out.
    left_out: &'static [&'static str],
}

const APOLLO_PEOPLE: Case = Case {
    what: "Apollo people",
    header: "First Name,Last Name,Title,Company,Company Name for Emails,Email,Email Status,\
             Primary Email Source,Email Confidence,Primary Email Catch-all Status,\
             Primary Email Last Verified At,Seniority,Departments,Contact Owner,\
             Work Direct Phone,Home Phone,Mobile Phone,Corporate Phone,Other Phone,Stage,Lists,\
             Last Contacted,Account Owner,# Employees,Industry,Keywords,Person Linkedin Url,\
             Website,Company Linkedin Url,Facebook Url,Twitter Url,City,State,Country,\
             Company Address,Company City,Company State,Company Country,Company Phone,\
             SEO Description,Technologies,Annual Revenue,Total Funding,Latest Funding,\
             Latest Funding Amount,Last Raised At,Email Sent,Email Open,Email Bounced,Replied,\
             Demoed,Number of Retail Locations,Apollo Contact Id,Apollo Account Id,\
             Secondary Email,Secondary Email Source,Tertiary Email,Tertiary Email Source,Reason",
    samples: &[],
    kind: Some("an Apollo people export"),
    entries: &[
        "contact.email = Email",
        "contact.name = {First Name} {Last Name}",
        "contact.location = {City}, {State}, {Country}",
        "contact.externalIdApollo = Apollo Contact Id",
        "contact.linkedInHandle = Person Linkedin Url ~ handle",
        "employment.title = Title",
        "employment.seniority = Seniority ~ map",
        "employment.history.0.current = true",
        "employment.history.0.organization = Company",
        "employment.history.0.title = Title",
        "company.name = Company Name for Emails",
        "company.bio = SEO Description",
        "company.website = Website",
        "company.location = {Company City}, {Company State}, {Company Country}",
        "company.fundingStage = Latest Funding",
        "company.externalIdApollo = Apollo Account Id",
        "company.facebookHandle = Facebook Url ~ handle",
        "company.linkedInHandle = Company Linkedin Url ~ handle",
        "company.xHandle = Twitter Url ~ handle",
        "company.annualRevenue = Annual Revenue ~ number",
        "company.employeesCount = # Employees ~ number",
        "company.fundingTotal = Total Funding ~ number",
        "company.retailLocationsCount = Number of Retail Locations ~ number",
        "company.industries = Industry",
        "company.stack = Technologies ~ split ,",
        "company.tags = Keywords ~ split ,",
    ],
    left_out: &[
        "Email Status",
        "Secondary Email",
        "Tertiary Email",
        "Work Direct Phone",
        "Company Address",
        "Last Raised At",
    ],
};

const APOLLO_ACCOUNTS: Case = Case {
    what: "Apollo accounts",
    header: "Company,Company Name for Emails,Account Stage,Lists,# Employees,Industry,\
             Account Owner,Website,Company Linkedin Url,Facebook Url,Twitter Url,Company Street,\
             Company City,Company State,Company Country,Company Postal Code,Company Address,\
             Keywords,Company Phone,SEO Description,Technologies,Total Funding,Latest Funding,\
             Latest Funding Amount,Last Raised At,Annual Revenue,Number of Retail Locations,\
             Apollo Account Id,SIC Codes,Short Description,Founded Year,Logo Url",
    samples: &[
        ("Industry", &["retail", "information technology & services"]),
        ("Keywords", &["software engineering, devops, cloud"]),
        ("Technologies", &["Akamai, Outlook, Sendgrid"]),
        ("# Employees", &["26000", "85"]),
        ("Account Owner", &["owner.one@example.com"]),
    ],
    kind: Some("an Apollo accounts (companies) export"),
    entries: &[
        "company.name = Company Name for Emails",
        "company.bio = Short Description",
        "company.avatar = Logo Url",
        "company.website = Website",
        "company.location = {Company City}, {Company State}, {Company Country}",
        "company.fundingStage = Latest Funding",
        "company.externalIdApollo = Apollo Account Id",
        "company.facebookHandle = Facebook Url ~ handle",
        "company.linkedInHandle = Company Linkedin Url ~ handle",
        "company.xHandle = Twitter Url ~ handle",
        "company.annualRevenue = Annual Revenue ~ number",
        "company.employeesCount = # Employees ~ number",
        "company.foundedYear = Founded Year",
        "company.fundingTotal = Total Funding ~ number",
        "company.retailLocationsCount = Number of Retail Locations ~ number",
        "company.industries = Industry",
        "company.stack = Technologies ~ split ,",
        "company.tags = Keywords ~ split ,",
    ],
    left_out: &[
        "Company",
        "Account Owner",
        "Company Street",
        "SIC Codes",
        "SEO Description",
    ],
};

const HUBSPOT_CONTACTS: Case = Case {
    what: "HubSpot contacts",
    header: "Contact ID,First Name,Last Name,Email,Phone Number,Mobile Phone Number,Job Title,\
             Lifecycle Stage,Lead Status,Create Date,Last Modified Date,Contact Owner,\
             Lead Source,Website URL,Street Address,City,State/Region,Postal Code,Country,\
             Associated Company Domain",
    samples: &[("Associated Company Domain", &["freeman.net", "cantu.com"])],
    kind: Some("a HubSpot contacts export"),
    entries: &[
        "contact.email = Email",
        "contact.name = {First Name} {Last Name}",
        "contact.website = Website URL",
        "contact.location = {City}, {State/Region}, {Country}",
        "employment.title = Job Title",
        "company.domain = Associated Company Domain ~ domain",
    ],
    left_out: &["Contact ID", "Lifecycle Stage", "Street Address"],
};

const HUBSPOT_COMPANIES: Case = Case {
    what: "HubSpot companies",
    header: "Record ID,Company name,Company owner,Create Date,Phone Number,Last Activity Date,\
             City,State/Region,Country/Region,Industry,Company Domain Name,Number of Employees,\
             Annual Revenue,Lifecycle Stage,Time Zone,Description,LinkedIn Company Page,\
             Year Founded",
    samples: &[],
    kind: Some("a HubSpot companies export"),
    entries: &[
        "company.name = Company name",
        "company.bio = Description",
        "company.domain = Company Domain Name ~ domain",
        "company.location = {City}, {State/Region}, {Country/Region}",
        "company.timeZone = Time Zone",
        "company.linkedInHandle = LinkedIn Company Page ~ handle",
        "company.annualRevenue = Annual Revenue ~ number",
        "company.employeesCount = Number of Employees ~ number",
        "company.foundedYear = Year Founded",
        "company.industries = Industry",
    ],
    left_out: &["Record ID", "Company owner", "Phone Number"],
};

const SALESFORCE: Case = Case {
    what: "Salesforce report",
    header: "Account: Account Name,Account: Type,Account: Phone,Contact: First Name,\
             Contact: Last Name,Contact: Title,Contact: Phone,Contact: Email,Contact: Picture",
    samples: &[],
    kind: Some("a Salesforce report export"),
    entries: &[
        "contact.email = Contact: Email",
        "contact.name = {Contact: First Name} {Contact: Last Name}",
        "contact.avatar = Contact: Picture",
        "employment.title = Contact: Title",
        "employment.history.0.current = true",
        "employment.history.0.organization = Account: Account Name",
        "employment.history.0.title = Contact: Title",
        "company.name = Account: Account Name",
    ],
    left_out: &["Account: Type", "Account: Phone", "Contact: Phone"],
};

const LINKEDIN: Case = Case {
    what: "LinkedIn connections",
    header: "First Name,Last Name,URL,Email Address,Company,Position,Connected On",
    samples: &[("URL", &["https://www.linkedin.com/in/jane-doe"])],
    kind: Some("a LinkedIn Connections export"),
    entries: &[
        "contact.email = Email Address",
        "contact.name = {First Name} {Last Name}",
        "contact.linkedInHandle = URL ~ handle",
        "employment.title = Position",
        "employment.history.0.current = true",
        "employment.history.0.organization = Company",
        "employment.history.0.title = Position",
        "company.name = Company",
    ],
    left_out: &["Connected On"],
};

const GOOGLE: Case = Case {
    what: "Google Contacts",
    header: "Name,Given Name,Additional Name,Family Name,Yomi Name,Given Name Yomi,\
             Additional Name Yomi,Family Name Yomi,Name Prefix,Name Suffix,Initials,Nickname,\
             Short Name,Maiden Name,Birthday,Gender,Location,Billing Information,\
             Directory Server,Mileage,Occupation,Hobby,Sensitivity,Priority,Subject,Notes,\
             Group Membership,E-mail 1 - Type,E-mail 1 - Value,E-mail 2 - Type,E-mail 2 - Value,\
             Phone 1 - Type,Phone 1 - Value,Address 1 - Type,Address 1 - Formatted,\
             Address 1 - Street,Address 1 - City,Address 1 - PO Box,Address 1 - Region,\
             Address 1 - Postal Code,Address 1 - Country,Address 1 - Extended Address,\
             Organization 1 - Type,Organization 1 - Name,Organization 1 - Yomi Name,\
             Organization 1 - Title,Organization 1 - Department,Organization 1 - Symbol,\
             Organization 1 - Location,Organization 1 - Job Description,Relation 1 - Type,\
             Relation 1 - Value,Website 1 - Type,Website 1 - Value",
    samples: &[("E-mail 1 - Type", &["* Home"])],
    kind: Some("a Google Contacts export"),
    entries: &[
        "contact.email = E-mail 1 - Value",
        "contact.name = Name",
        "contact.nickname = Nickname",
        "contact.website = Website 1 - Value",
        "contact.location = {Address 1 - City}, {Address 1 - Region}, {Address 1 - Country}",
        "contact.note = Notes",
        "employment.title = Organization 1 - Title",
        "employment.history.0.current = true",
        "employment.history.0.organization = Organization 1 - Name",
        "employment.history.0.title = Organization 1 - Title",
        "company.name = Organization 1 - Name",
        "company.location = Organization 1 - Location",
        "company.ticker = Organization 1 - Symbol",
    ],
    left_out: &[
        "Given Name",
        "Family Name",
        "E-mail 1 - Type",
        "E-mail 2 - Value",
        "Occupation",
        "Location",
    ],
};

const MAILCHIMP: Case = Case {
    what: "Mailchimp",
    header: "Email Address,First Name,Last Name,Company,Position,ZIP Code,MEMBER_RATING,\
             OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,\
             TIMEZONE,CC,REGION,LAST_CHANGED,LEID,EUID,NOTES,TAGS",
    samples: &[("TAGS", &["\"Lorem Editors\""])],
    kind: Some("a Mailchimp audience export"),
    entries: &[
        "contact.email = Email Address",
        "contact.name = {First Name} {Last Name}",
        "contact.location = {REGION}, {CC}",
        "contact.timeZone = TIMEZONE",
        "contact.note = NOTES",
        "employment.title = Position",
        "employment.history.0.current = true",
        "employment.history.0.organization = Company",
        "employment.history.0.title = Position",
        "company.name = Company",
    ],
    left_out: &["TAGS", "MEMBER_RATING", "LEID", "ZIP Code"],
};

const OUTLOOK: Case = Case {
    what: "Outlook",
    header: "Display Name,Title,First Name,Middle Name,Last Name,Suffix,Nickname,Company,\
             Department,Job Title,Email Home,Email Work,Email Other,Home Phone,Business Phone,\
             Home Mobile,Home Fax,Business Fax,Car Phone,Pager,Home Street,Home City,Home State,\
             Home Zip,Home Country,Business Street,Work City,Work State,Work Zip,Work Country,\
             Other City,Other Country/Region,Gender,Birthday,Notes,IM Skype,Website Blog,\
             Website Home Page,Website Profile,Website Work,Categories",
    samples: &[],
    kind: Some("an Outlook contacts export"),
    entries: &[
        "contact.email = Email Work",
        "contact.name = Display Name",
        "contact.nickname = Nickname",
        "contact.website = Website Home Page",
        "contact.location = {Work City}, {Work State}, {Work Country}",
        "contact.note = Notes",
        "employment.title = Job Title",
        "employment.history.0.current = true",
        "employment.history.0.organization = Company",
        "employment.history.0.title = Job Title",
        "company.name = Company",
        "company.website = Website Work",
    ],
    left_out: &[
        "Title",
        "Email Home",
        "Home City",
        "Categories",
        "First Name",
    ],
};

const DATABLIST_CUSTOMERS: Case = Case {
    what: "Datablist customers",
    header: "Index,Customer Id,First Name,Last Name,Company,City,Country,Phone 1,Phone 2,Email,\
             Subscription Date,Website",
    samples: &[],
    kind: Some("a Datablist customers sample"),
    entries: &[
        "contact.email = Email",
        "contact.name = {First Name} {Last Name}",
        "contact.location = {City}, {Country}",
        "company.name = Company",
        "company.website = Website",
    ],
    left_out: &["Index", "Customer Id", "Phone 1", "Subscription Date"],
};

const DATABLIST_PEOPLE: Case = Case {
    what: "Datablist people",
    header: "Index,User Id,First Name,Last Name,Sex,Email,Phone,Date of birth,Job Title",
    samples: &[],
    kind: Some("a Datablist people sample"),
    entries: &[
        "contact.email = Email",
        "contact.name = {First Name} {Last Name}",
        "employment.title = Job Title",
    ],
    left_out: &["Index", "User Id", "Sex", "Phone", "Date of birth"],
};

const DATABLIST_ORGANIZATIONS: Case = Case {
    what: "Datablist organizations",
    header: "Index,Organization Id,Name,Website,Country,Description,Founded,Industry,\
             Number of employees",
    samples: &[("Industry", &["Plastics", "Glass / Ceramics / Concrete"])],
    kind: Some("a Datablist organizations sample"),
    entries: &[
        "company.name = Name",
        "company.bio = Description",
        "company.website = Website",
        "company.location = Country",
        "company.employeesCount = Number of employees ~ number",
        "company.foundedYear = Founded",
        "company.industries = Industry",
    ],
    left_out: &["Index", "Organization Id"],
};

const CASES: [&Case; 13] = [
    &APOLLO_PEOPLE,
    &APOLLO_ACCOUNTS,
    &HUBSPOT_CONTACTS,
    &HUBSPOT_COMPANIES,
    &SALESFORCE,
    &LINKEDIN,
    &GOOGLE,
    &MAILCHIMP,
    &OUTLOOK,
    &DATABLIST_CUSTOMERS,
    &DATABLIST_PEOPLE,
    &DATABLIST_ORGANIZATIONS,
    &DATABLIST_CUSTOMERS_BLANK_NAMES,
];

/// The Datablist customers file as one copy has it: its email, phone and website columns
/// cut, and four empty names at the end.
const DATABLIST_CUSTOMERS_BLANK_NAMES: Case = Case {
    what: "Datablist customers with blank names",
    header: "Index,Customer Id,First Name,Last Name,Company,City,Country,Subscription Date,,,,",
    samples: &[],
    kind: Some("a Datablist customers sample"),
    entries: &[
        "contact.name = {First Name} {Last Name}",
        "contact.location = {City}, {Country}",
        "company.name = Company",
    ],
    left_out: &["Index", "Customer Id"],
};

/// The column a test adds to a mapping that has no email, so that the loader takes it.
const ADDED_EMAIL: &str = "Added Email";

fn names(header: &str) -> Vec<String> {
    header.split(',').map(|n| n.trim().to_owned()).collect()
}

fn columns_of(case: &Case) -> Vec<Column> {
    names(case.header)
        .into_iter()
        .map(|name| {
            let samples = case
                .samples
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, s)| s.iter().map(|s| s.to_string()).collect())
                .unwrap_or_default();
            Column { name, samples }
        })
        .collect()
}

/// An entry as the test tables write it: `contact.linkedInHandle = URL ~ handle`.
fn describe(entry: &Entry) -> String {
    let table = match entry.slot {
        Slot::Contact => "contact".to_owned(),
        Slot::Employment => "employment".to_owned(),
        Slot::Company => "company".to_owned(),
        Slot::History(i) => format!("employment.history.{i}"),
    };
    let origin = match &entry.origin {
        Origin::Column(name) => name.clone(),
        Origin::Template(text, _) => text.clone(),
        Origin::FirstOf(names) => names.join(" | "),
        Origin::Constant(Typed::Bool(b)) => b.to_string(),
        Origin::Constant(other) => format!("{other:?}"),
    };
    let mut text = format!("{table}.{} = {origin}", entry.field);
    if let Some(split) = &entry.split {
        text.push_str(&format!(" ~ split {split}"));
    }
    for transform in &entry.transforms {
        text.push_str(&format!(" ~ {}", transform.name()));
    }
    text
}

/// Load a suggestion as the loader would, adding an email line when it has none, and
/// compile it against the header (with the added column, if any).
fn load(text: &str, header: &[String]) -> Mapping {
    let mut header = header.to_vec();
    let text = match Mapping::parse(text, "suggested.toml") {
        Ok(mapping) => {
            let columns = Columns::Header(header.clone());
            mapping.compile(&columns, "in.csv").expect("compiles");
            return mapping;
        }
        Err(e) => {
            assert!(e.to_string().contains("no contact.email"), "{e}\n{text}");
            header.push(ADDED_EMAIL.to_owned());
            with_email(text)
        }
    };
    let mapping = Mapping::parse(&text, "suggested.toml").expect("loads with an email");
    let columns = Columns::Header(header);
    mapping.compile(&columns, "in.csv").expect("compiles");
    mapping
}

fn with_email(text: &str) -> String {
    let line = format!("email = {}\n", write::quote(ADDED_EMAIL));
    match text.find("\n[contact]\n") {
        Some(at) => {
            let end = at + "\n[contact]\n".len();
            format!("{}{line}{}", &text[..end], &text[end..])
        }
        None => format!("{text}\n[contact]\n{line}"),
    }
}

/// The columns the comment block at the end lists, unquoted.
fn left_out(text: &str) -> Vec<String> {
    let block = text.split("\n# Left out:").nth(1).unwrap_or_default();
    block
        .lines()
        .filter_map(|l| l.strip_prefix("#   \""))
        .map(|rest| {
            let quoted = format!("\"{}", rest.split_once("\": ").unwrap().0);
            let value: toml::Table = toml::from_str(&format!("v = {quoted}\"")).unwrap();
            value["v"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// The columns an entry reads.
fn read_columns(entry: &Entry) -> Vec<String> {
    match &entry.origin {
        Origin::Column(name) => vec![name.clone()],
        Origin::FirstOf(names) => names.clone(),
        Origin::Template(_, pieces) => pieces
            .iter()
            .filter_map(|p| match p {
                crate::mapping::template::Piece::Column(c) => Some(c.clone()),
                crate::mapping::template::Piece::Text(_) => None,
            })
            .collect(),
        Origin::Constant(_) => Vec::new(),
    }
}

#[test]
fn each_export_gets_its_fields() {
    for case in CASES {
        let text = suggest(&columns_of(case), "in.csv");
        let mapping = load(&text, &names(case.header));
        let found: Vec<String> = mapping
            .entries()
            .iter()
            .filter(|e| !matches!(&e.origin, Origin::Column(c) if c == ADDED_EMAIL))
            .map(describe)
            .collect();
        assert_eq!(found, case.entries, "{}:\n{text}", case.what);
    }
}

#[test]
fn each_export_is_recognised() {
    for case in CASES {
        let text = suggest(&columns_of(case), "in.csv");
        if let Some(kind) = case.kind {
            let said = format!("# The header looks like {kind}.");
            assert!(text.contains(&said), "{}:\n{text}", case.what);
        }
    }
}

#[test]
fn every_column_is_mapped_or_listed() {
    for case in CASES {
        let text = suggest(&columns_of(case), "in.csv");
        let mapping = load(&text, &names(case.header));
        let mut seen: Vec<String> = mapping.entries().iter().flat_map(read_columns).collect();
        let listed = left_out(&text);
        seen.extend(listed.iter().cloned());
        for name in names(case.header).iter().filter(|n| !n.is_empty()) {
            assert!(
                seen.contains(name),
                "{}: {name} is neither mapped nor listed",
                case.what
            );
        }
        for name in case.left_out {
            assert!(
                listed.iter().any(|l| l == name),
                "{}: {name} not listed",
                case.what
            );
        }
    }
}

#[test]
fn files_without_an_email_say_so_at_the_top() {
    for case in CASES {
        let text = suggest(&columns_of(case), "in.csv");
        let has_email = case
            .entries
            .iter()
            .any(|e| e.starts_with("contact.email ="));
        let warned = text.starts_with("# This file has no email column.")
            && text.contains("needs a contact.email in every\n# body");
        assert_eq!(warned, !has_email, "{}:\n{text}", case.what);
        let loads = Mapping::parse(&text, "suggested.toml").is_ok();
        assert_eq!(loads, has_email, "{}", case.what);
        assert!(
            text.parse::<toml::Table>().is_ok(),
            "{}: not TOML",
            case.what
        );
    }
}

#[test]
fn other_candidates_are_named_under_the_winner() {
    let text = suggest(&columns_of(&APOLLO_PEOPLE), "in.csv");
    assert!(text.contains(
        "#   also fits: \"Secondary Email\", \"Tertiary Email\"\n\
         #   to fall back on them when the first is empty: email = { first_of = \
         [\"Email\", \"Secondary Email\", \"Tertiary Email\"] }\n"
    ));
    assert!(text.contains("\"Secondary Email\": also fits contact.email, which reads \"Email\""));
    let google = suggest(&columns_of(&GOOGLE), "in.csv");
    assert!(
        google.contains("#   also fits: \"Given Name\" + \"Additional Name\" + \"Family Name\"")
    );
}

#[test]
fn lines_say_how_sure_they_are() {
    let text = suggest(&columns_of(&LINKEDIN), "exports/connections.csv");
    assert!(text.starts_with("# A mapping for exports/connections.csv, suggested by"));
    assert!(text.contains("\nemail = \"Email Address\""));
    let email = text.lines().find(|l| l.starts_with("email = ")).unwrap();
    assert!(email.ends_with("# high: \"Email Address\""), "{email}");
    let current = text.lines().find(|l| l.starts_with("current = ")).unwrap();
    assert!(
        current.starts_with("current = { value = true }"),
        "{current}"
    );
}

fn one(names: &[&str], samples: &[(&str, &[&str])]) -> Vec<Column> {
    names
        .iter()
        .map(|name| Column {
            name: name.to_string(),
            samples: samples
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, s)| s.iter().map(|s| s.to_string()).collect())
                .unwrap_or_default(),
        })
        .collect()
}

fn entries_of(columns: &[Column]) -> (String, Vec<String>) {
    let text = suggest(columns, "in.csv");
    let header: Vec<String> = columns.iter().map(|c| c.name.trim().to_owned()).collect();
    let mapping = load(&text, &header);
    let found = mapping.entries().iter().map(describe).collect();
    (text, found)
}

#[test]
fn near_names_are_medium() {
    let (text, found) = entries_of(&one(
        &["E-mail Adress", "Compnay Name", "Preferred Timezone"],
        &[],
    ));
    assert_eq!(
        found,
        [
            "contact.email = E-mail Adress",
            "contact.timeZone = Preferred Timezone",
            "company.name = Compnay Name",
        ]
    );
    assert!(text.contains("# medium: \"E-mail Adress\""), "{text}");
    assert!(text.contains("# medium: \"Preferred Timezone\""), "{text}");
}

#[test]
fn an_email_guess_needs_addresses_in_its_samples() {
    let guess = &["Best Email To Use"];
    let (_, found) = entries_of(&one(guess, &[("Best Email To Use", &["jo@acme.com"])]));
    assert_eq!(found, ["contact.email = Best Email To Use"]);
    let text = suggest(
        &one(guess, &[("Best Email To Use", &["yes", "no"])]),
        "in.csv",
    );
    assert!(
        text.starts_with("# This file has no email column."),
        "{text}"
    );
}

#[test]
fn words_about_a_field_are_not_the_field() {
    let text = suggest(
        &one(&["Email Status", "Email Opt Out", "Employee Growth"], &[]),
        "in.csv",
    );
    assert_eq!(
        left_out(&text),
        ["Email Status", "Email Opt Out", "Employee Growth"]
    );
}

#[test]
fn lists_split_on_what_their_samples_show() {
    let columns = one(
        &["Email", "Industry", "Keywords", "Technologies"],
        &[
            ("Industry", &["Software, SaaS", "Retail"]),
            ("Keywords", &["b2b; crm"]),
            ("Technologies", &["React | Rust"]),
        ],
    );
    let (_, found) = entries_of(&columns);
    assert_eq!(
        found[1..],
        [
            "company.industries = Industry ~ split ,",
            "company.stack = Technologies ~ split |",
            "company.tags = Keywords ~ split ;",
        ]
    );
}

#[test]
fn samples_the_line_would_refuse_are_named() {
    let columns = one(
        &["Email", "Seniority", "LinkedIn", "# Employees"],
        &[
            ("Email", &["jo@acme.com", "not an address"]),
            ("Seniority", &["Director", "Staff"]),
            (
                "LinkedIn",
                &["https://www.linkedin.com/in/jo", "https://example.com/jo"],
            ),
            ("# Employees", &["51-200", "many"]),
        ],
    );
    let text = suggest(&columns, "in.csv");
    for note in [
        "#   the sample \"not an address\" would be refused; check the column",
        "#   the sample \"Staff\" would be refused; give the entry a `map` table",
        "#   the sample \"https://example.com/jo\" would be refused",
        "#   the sample \"many\" would be refused",
    ] {
        assert!(text.contains(note), "{note}\n{text}");
    }
}

#[test]
fn awkward_names_are_escaped() {
    let names = [
        "E\"mail",
        "{Website}",
        "First\\Name",
        "Last # Name",
        "{City}",
        "Country",
        "No\ntes",
        "Job 'Title'",
    ];
    let (text, found) = entries_of(&one(&names, &[]));
    assert_eq!(
        found,
        [
            "contact.email = E\"mail",
            "contact.name = {First\\Name} {Last # Name}",
            "contact.website = {Website}",
            "contact.location = Country",
            "contact.note = No\ntes",
            "employment.title = Job 'Title'",
        ]
    );
    assert!(
        text.contains("website = { column = \"{Website}\" }"),
        "{text}"
    );
    assert!(text.contains("note = \"No\\ntes\""), "{text}");
    let listed = left_out(&text);
    assert!(listed.contains(&"{City}".to_owned()), "{text}");
    assert!(
        text.contains("\"{City}\": its name holds a brace"),
        "{text}"
    );
}

#[test]
fn templates_double_literal_braces() {
    let text = write::template(&["A", "B"], " {or} ");
    assert_eq!(text, "{A} {{or}} {B}");
    let pieces = crate::mapping::template::parse(&text).unwrap();
    assert_eq!(
        pieces,
        [
            crate::mapping::template::Piece::Column("A".into()),
            crate::mapping::template::Piece::Text(" {or} ".into()),
            crate::mapping::template::Piece::Column("B".into()),
        ]
    );
}

#[test]
fn duplicate_names_are_numbered_and_blank_ones_skipped() {
    let (text, found) = entries_of(&one(&["Email", "Name", "", "Email", " "], &[]));
    assert_eq!(found, ["contact.email = Email#1", "contact.name = Name"]);
    assert!(text.contains("#   also fits: \"Email#2\""), "{text}");
    assert!(text.contains("#   2 columns without a name"), "{text}");
}

#[test]
fn a_numbered_name_that_is_taken_is_left_out() {
    let (text, found) = entries_of(&one(&["Email", "Email", "Email#2"], &[]));
    assert_eq!(found, ["contact.email = Email#1"]);
    let taken = "#   \"Email\": number 2 of the columns so named; `Email#2` would name it, but \
                 another column has that name\n";
    assert!(text.contains(taken), "{text}");
}

#[test]
fn json_paths_are_read_by_their_segments() {
    let paths = [
        "person.email",
        "name.givenName",
        "name.familyName",
        "employment.title",
        "employment.name",
        "employment.domain",
        "linkedin.handle",
        "company.address.city",
        "site.title",
    ];
    let columns = one(&paths, &[]);
    let text = suggest(&columns, "people.jsonl");
    let mapping = Mapping::parse(&text, "suggested.toml").unwrap();
    mapping.compile(&Columns::Paths, "people.jsonl").unwrap();
    let found: Vec<String> = mapping.entries().iter().map(describe).collect();
    assert_eq!(
        found,
        [
            "contact.email = person.email",
            "contact.name = {name.givenName} {name.familyName}",
            "contact.linkedInHandle = linkedin.handle ~ handle",
            "employment.title = employment.title",
            "employment.history.0.current = true",
            "employment.history.0.organization = employment.name",
            "employment.history.0.title = employment.title",
            "company.name = employment.name",
            "company.domain = employment.domain ~ domain",
            "company.location = company.address.city",
        ]
    );
}

#[test]
fn the_name_tables_name_real_fields() {
    for meaning in names::named_fields() {
        let known = match meaning {
            Meaning::Field(table, field) => table.field(field).is_some(),
            Meaning::Either(field) => {
                Table::Contact.field(field).is_some() && Table::Company.field(field).is_some()
            }
            Meaning::CompanyList(field) => Table::Company.field(field) == Some(FieldType::TextList),
            Meaning::Site | Meaning::Name(_) | Meaning::Place(..) => true,
        };
        assert!(known, "{meaning:?}");
    }
}

#[test]
fn a_companys_email_is_not_the_contacts() {
    let text = suggest(&one(&["Company Email", "Account: Email"], &[]), "in.csv");
    assert!(
        text.starts_with("# This file has no email column."),
        "{text}"
    );
    let why = "it belongs to the company, and the webhook has this field for people only \
               (contact.email)";
    assert!(
        text.contains(&format!("#   \"Company Email\": {why}\n")),
        "{text}"
    );
    assert!(
        text.contains(&format!("#   \"Account: Email\": {why}\n")),
        "{text}"
    );
}

#[test]
fn an_unknown_header_says_so() {
    let text = suggest(&one(&["Email", "Favourite Colour"], &[]), "in.csv");
    assert!(text.contains("# The header matches none of the exports fq-import knows"));
    assert_eq!(left_out(&text), ["Favourite Colour"]);
}
